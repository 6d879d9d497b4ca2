package io.tributary.server;

import io.tributary.apply.ClusterRegistry;
import io.tributary.flink.DeploymentTarget;
import io.tributary.flink.TestingFlinkTarget;
import io.tributary.model.Cluster;
import io.tributary.model.DesiredState;
import io.tributary.plan.ClusterObservation;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Every external (unmanaged) cluster of the repository is one in-memory {@link TestingFlinkTarget}: a
 * service whose apps really deploy, stop, savepoint and restart, in milliseconds and with no Flink.
 */
final class InMemoryClusters implements ClusterRegistry {
    final TestingFlinkTarget flink;

    InMemoryClusters(TestingFlinkTarget flink) {
        this.flink = flink;
    }

    @Override
    public Optional<DeploymentTarget> target(Cluster cluster) {
        return cluster.isLocal() ? Optional.empty() : Optional.of(flink);
    }

    @Override
    public Optional<URI> restUrl(Cluster cluster) {
        return Optional.empty();
    }

    @Override
    public Map<String, ClusterObservation> observe(DesiredState desired) {
        Map<String, ClusterObservation> result = new HashMap<>();
        for (Cluster c : desired.all(Cluster.class)) {
            if (!c.isLocal() && c.spec().mode() == Cluster.Mode.STANDALONE) {
                String name = c.id().qualifiedName();
                result.put(name, new ClusterObservation(name, false, true, true, Optional.empty()));
            }
        }
        return result;
    }

    @Override
    public void start(Cluster cluster, DesiredState desired) {
        throw new UnsupportedOperationException("no managed clusters in these tests: " + cluster.id());
    }

    @Override
    public void stop(String name) {}

    @Override
    public void close() {}
}
