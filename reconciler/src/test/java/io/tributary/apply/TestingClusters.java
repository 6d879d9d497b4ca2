package io.tributary.apply;

import io.tributary.flink.DeploymentTarget;
import io.tributary.flink.TestingFlinkTarget;
import io.tributary.model.Cluster;
import io.tributary.model.DesiredState;
import io.tributary.plan.ClusterObservation;
import io.tributary.plan.SpecHash;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A cluster registry for the apply tests: every standalone cluster runs on one
 * {@link TestingFlinkTarget} unless {@link #route routed} elsewhere, and an app's own cluster only where
 * routed; managed ones are "started" by
 * remembering their spec, and one stopped forgets the jobs of the Flink it was routed to.
 */
public final class TestingClusters implements ClusterRegistry {
    final TestingFlinkTarget flink;
    final Map<String, String> started = new java.util.concurrent.ConcurrentHashMap<>();
    final List<String> calls = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Map<String, DeploymentTarget> routed = new java.util.concurrent.ConcurrentHashMap<>();
    /** Clusters that, as a managed local one, would stop with the service. */
    final java.util.Set<String> stoppedOnClose = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public TestingClusters(TestingFlinkTarget flink) {
        this.flink = flink;
    }

    /** The cluster of that qualified name runs on {@code target} instead of the in-memory Flink. */
    void route(String cluster, DeploymentTarget target) {
        routed.put(cluster, target);
    }

    @Override
    public Optional<DeploymentTarget> target(Cluster cluster) {
        String name = cluster.id().qualifiedName();
        boolean up = !cluster.spec().managed() || started.containsKey(name);
        return up ? Optional.of(routed.getOrDefault(name, flink)) : Optional.empty();
    }

    /** An app's own cluster runs on the Flink routed to its name ({@link DesiredState#appClusterName}), if any. */
    @Override
    public Optional<DeploymentTarget> appTarget(io.tributary.model.Application app, DesiredState desired) {
        return desired.jobClusterName(app).flatMap(this::appTarget);
    }

    @Override
    public Optional<DeploymentTarget> appTarget(String appClusterName) {
        return Optional.ofNullable(routed.get(appClusterName));
    }

    @Override
    public Optional<java.net.URI> restUrl(Cluster cluster) {
        return Optional.empty();
    }

    @Override
    public Map<String, ClusterObservation> observe(DesiredState desired, Function<String, Answer> answers) {
        Map<String, ClusterObservation> result = new HashMap<>();
        for (Cluster c : desired.all(Cluster.class)) {
            String name = c.id().qualifiedName();
            boolean running = !c.spec().managed() || started.containsKey(name);
            boolean reachable = running && answers.apply(name) == Answer.ANSWERED;
            result.put(name, new ClusterObservation(name, c.spec().managed(), running, reachable,
                    Optional.ofNullable(started.get(name))));
        }
        // as a managed cluster whose processes still run after it left Git
        started.forEach((name, spec) -> result.putIfAbsent(name,
                new ClusterObservation(name, true, true, true, Optional.of(spec))));
        return result;
    }

    @Override
    public synchronized void start(Cluster cluster, DesiredState desired) {
        calls.add("start " + cluster.id().qualifiedName());
        started.put(cluster.id().qualifiedName(), SpecHash.of(cluster, desired));
    }

    @Override
    public synchronized void stop(String name) {
        calls.add("stop " + name);
        started.remove(name);
        // a cluster routed to a Flink of its own takes its jobs down with it
        if (routed.get(name) instanceof TestingFlinkTarget own) {
            own.running().forEach(job -> own.forgetJob(job.submission().jobId()));
        }
    }

    @Override
    public java.util.Set<String> stoppedOnClose() {
        return java.util.Set.copyOf(stoppedOnClose);
    }

    @Override
    public void close() {}
}
