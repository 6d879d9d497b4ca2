package io.tributary.plan;

import io.tributary.build.Digests;
import io.tributary.model.Application;
import io.tributary.model.Cluster;
import io.tributary.model.DesiredState;
import io.tributary.model.FlinkVersion;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * A digest of everything that shapes a running job: when it changes, the job must be replaced.
 * It is taken over the resolved spec (variables already substituted, the SQL text itself, the
 * Flink version a default resolves to), so a changed variable upgrades every app that uses it.
 * Fields that only steer Tributary (state, upgrade mode, restart policy, retention, alerts,
 * prune, the first-start restore) are left out: changing them never restarts a job.
 */
public final class SpecHash {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private SpecHash() {}

    public static String of(Application app, DesiredState desired) {
        Application.Spec spec = app.spec();
        Map<String, Object> shape = new LinkedHashMap<>();
        shape.put("flinkVersion", distribution(desired.flinkVersionOf(app)));
        shape.put("deployment", spec.deployment());
        Application.Job job = spec.job();
        shape.put("jobType", job.type());
        shape.put("sql", job.sql() == null ? null : job.sql().text());
        shape.put("jar", job.jar());
        shape.put("dependencies", job.dependencies());
        shape.put("parallelism", spec.parallelism());
        shape.put("checkpoints", spec.checkpoints());
        shape.put("savepointDirectory", spec.savepoints() == null ? null : spec.savepoints().directory());
        shape.put("flinkConfiguration", spec.flinkConfiguration());
        return digest(shape);
    }

    /** A managed cluster's digest: a change restarts the cluster, moving its apps with savepoints. */
    public static String of(Cluster cluster, DesiredState desired) {
        Map<String, Object> shape = new LinkedHashMap<>();
        shape.put("flinkVersion", distribution(desired.flinkVersion(cluster.spec().flinkVersion())));
        shape.put("spec", cluster.spec());
        return digest(shape);
    }

    /**
     * The Flink distribution a job or cluster runs: which version is marked default is not part of it, so moving
     * the mark restarts nothing that names its version. (Written as marked default, the shape digests had before.)
     */
    private static FlinkVersion.Spec distribution(Optional<FlinkVersion> version) {
        return version.map(v -> new FlinkVersion.Spec(v.spec().version(), v.spec().home(), true)).orElse(null);
    }

    private static String digest(Map<String, Object> shape) {
        return Digests.sha256(JSON.writeValueAsString(shape));
    }
}
