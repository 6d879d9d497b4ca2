package io.tributary.model;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.Map;

/** One Flink job: SQL or jar, how and where it is deployed, its state and its policies. */
public record Application(Metadata metadata, Spec spec) implements Resource {

    public record Spec(
            String flinkVersion,
            Deployment deployment,
            Job job,
            Integer parallelism,
            DesiredState state,
            UpgradeMode upgradeMode,
            boolean allowStatelessFallback,
            Restore restore,
            Checkpoints checkpoints,
            Savepoints savepoints,
            RestartPolicy restartPolicy,
            Map<String, String> flinkConfiguration,
            List<String> alertPolicies,
            Boolean prune) {
        public Spec {
            parallelism = parallelism == null ? 1 : parallelism;
            state = state == null ? DesiredState.RUNNING : state;
            upgradeMode = upgradeMode == null ? UpgradeMode.SAVEPOINT : upgradeMode;
            restartPolicy = restartPolicy == null ? RestartPolicy.DEFAULT : restartPolicy;
            flinkConfiguration = flinkConfiguration == null ? Map.of() : Map.copyOf(flinkConfiguration);
            alertPolicies = alertPolicies == null ? List.of() : List.copyOf(alertPolicies);
            prune = prune == null || prune;
        }

        /** The digest of the project jar this spec runs (see {@link ProjectArtifact}); null when it has none. */
        public String projectArtifactSha256() {
            Jar jar = job.jar();
            return jar == null || jar.project() == null ? null : jar.project().sha256();
        }
    }

    public enum DeploymentMode {
        STANDALONE_SESSION("standalone-session", Cluster.Mode.STANDALONE),
        YARN_SESSION("yarn-session", Cluster.Mode.YARN_SESSION),
        YARN_PER_JOB("yarn-per-job", null),
        YARN_APPLICATION("yarn-application", null),
        KUBERNETES_SESSION("kubernetes-session", Cluster.Mode.KUBERNETES_SESSION),
        KUBERNETES_APPLICATION("kubernetes-application", null);

        private final String yamlName;
        private final Cluster.Mode sessionClusterMode;

        DeploymentMode(String yamlName, Cluster.Mode sessionClusterMode) {
            this.yamlName = yamlName;
            this.sessionClusterMode = sessionClusterMode;
        }

        @JsonValue
        public String yamlName() {
            return yamlName;
        }

        /** The cluster mode a session deployment runs on; null for modes that bring their own cluster. */
        public Cluster.Mode sessionClusterMode() {
            return sessionClusterMode;
        }

        public boolean isSession() {
            return sessionClusterMode != null;
        }

        public boolean isYarnPerAppCluster() {
            return this == YARN_PER_JOB || this == YARN_APPLICATION;
        }
    }

    public record Deployment(DeploymentMode mode, String cluster, Cluster.Yarn yarn, Cluster.Kubernetes kubernetes) {}

    public enum JobType {
        SQL, JAR;

        @JsonValue
        public String yamlName() {
            return name().toLowerCase();
        }
    }

    public record Job(JobType type, Sql sql, List<String> dependencies, Jar jar) {
        public Job {
            dependencies = dependencies == null ? List.of() : List.copyOf(dependencies);
        }
    }

    /**
     * The SQL of a job. After loading, {@code text} holds the script with variables substituted,
     * whether it was written inline ({@code script}) or in a {@code file} of the repo.
     */
    public record Sql(String file, String script, String text) {}

    public record Jar(String maven, String url, ProjectArtifact project, String entryClass, List<String> args) {
        public Jar {
            args = args == null ? List.of() : List.copyOf(args);
        }
    }

    /**
     * A jar built by a Project. {@code sha256} is never written in Git: the reconciler sets it to
     * the digest of the jar the project's build produced, so a rebuilt jar changes the app's spec
     * hash and upgrades the job like any other spec change. Null until a build has produced it.
     */
    public record ProjectArtifact(String name, String artifact, String sha256) {
        public ProjectArtifact withSha256(String digest) {
            return new ProjectArtifact(name, artifact, digest);
        }
    }

    /** This application with its project jar's digest set (see {@link ProjectArtifact}); itself when it has none. */
    public Application withProjectArtifact(String sha256) {
        Jar jar = spec.job().jar();
        if (jar == null || jar.project() == null) {
            return this;
        }
        Jar resolved = new Jar(jar.maven(), jar.url(), jar.project().withSha256(sha256), jar.entryClass(), jar.args());
        Job job = new Job(spec.job().type(), spec.job().sql(), spec.job().dependencies(), resolved);
        Spec s = spec;
        return new Application(metadata, new Spec(s.flinkVersion(), s.deployment(), job, s.parallelism(), s.state(),
                s.upgradeMode(), s.allowStatelessFallback(), s.restore(), s.checkpoints(), s.savepoints(),
                s.restartPolicy(), s.flinkConfiguration(), s.alertPolicies(), s.prune()));
    }

    public enum DesiredState {
        RUNNING, SUSPENDED;

        @JsonValue
        public String yamlName() {
            return name().toLowerCase();
        }
    }

    public enum UpgradeMode {
        STATELESS("stateless"), SAVEPOINT("savepoint"), LAST_STATE("last-state");

        private final String yamlName;

        UpgradeMode(String yamlName) {
            this.yamlName = yamlName;
        }

        @JsonValue
        public String yamlName() {
            return yamlName;
        }
    }

    /**
     * The state a first deploy starts from: a savepoint's path, or the latest savepoint of another app
     * ({@code application}: {@code name} in the same team, or {@code team/name}).
     */
    public record Restore(String savepoint, String application, boolean allowNonRestoredState) {
        /** The {@code team/name} of the app to restore from, for an app of {@code team}; null when a savepoint is named. */
        public String sourceApp(String team) {
            return application == null || application.contains("/") ? application : team + "/" + application;
        }
    }

    public enum CheckpointMode {
        EXACTLY_ONCE("exactly-once"), AT_LEAST_ONCE("at-least-once");

        private final String yamlName;

        CheckpointMode(String yamlName) {
            this.yamlName = yamlName;
        }

        @JsonValue
        public String yamlName() {
            return yamlName;
        }
    }

    public record Checkpoints(TimeSpan interval, CheckpointMode mode, TimeSpan timeout, String directory) {}

    public record Savepoints(String directory, Retention retention, TimeSpan periodic) {}

    public record Retention(Integer maxCount, TimeSpan maxAge) {}

    public enum RestartFrom {
        LAST_CHECKPOINT("last-checkpoint"), LAST_SAVEPOINT("last-savepoint"), NONE("none");

        private final String yamlName;

        RestartFrom(String yamlName) {
            this.yamlName = yamlName;
        }

        @JsonValue
        public String yamlName() {
            return yamlName;
        }
    }

    public record RestartPolicy(Integer maxRestarts, TimeSpan window, RestartFrom from) {
        public static final RestartPolicy DEFAULT = new RestartPolicy(3, TimeSpan.parse("10m"), RestartFrom.LAST_CHECKPOINT);

        public RestartPolicy {
            maxRestarts = maxRestarts == null ? 3 : maxRestarts;
            window = window == null ? TimeSpan.parse("10m") : window;
            from = from == null ? RestartFrom.LAST_CHECKPOINT : from;
        }

        /** {@code maxRestarts: 0} or {@code from: none}: alert only, never restart. */
        public boolean restartsAutomatically() {
            return maxRestarts > 0 && from != RestartFrom.NONE;
        }
    }

    @Override
    public Kind kind() {
        return Kind.APPLICATION;
    }
}
