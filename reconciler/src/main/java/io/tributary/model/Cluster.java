package io.tributary.model;

import java.util.Map;

/** A Flink session cluster: standalone, YARN session or Kubernetes session; managed or external. */
public record Cluster(Metadata metadata, Spec spec) implements Resource {

    public enum Mode {
        STANDALONE("standalone"), YARN_SESSION("yarn-session"), KUBERNETES_SESSION("kubernetes-session");

        private final String yamlName;

        Mode(String yamlName) {
            this.yamlName = yamlName;
        }

        @com.fasterxml.jackson.annotation.JsonValue
        public String yamlName() {
            return yamlName;
        }
    }

    public record Spec(
            String flinkVersion,
            Mode mode,
            boolean managed,
            Standalone standalone,
            Yarn yarn,
            Kubernetes kubernetes,
            Map<String, String> flinkConfiguration) {
        public Spec {
            flinkConfiguration = flinkConfiguration == null ? Map.of() : Map.copyOf(flinkConfiguration);
        }
    }

    public record Standalone(String address, Integer taskManagers, Integer slotsPerTaskManager) {
        public int taskManagersOrDefault() {
            return taskManagers == null ? 1 : taskManagers;
        }

        public int slotsOrDefault() {
            return slotsPerTaskManager == null ? 4 : slotsPerTaskManager;
        }
    }

    public record Yarn(String hadoopConfDir, String queue, String applicationId) {}

    public record Kubernetes(String namespace, String context, String image, String serviceAccount, boolean ingress) {}

    /** A managed standalone cluster: Tributary runs it on its own host as child processes. */
    public boolean isLocal() {
        return spec.managed() && spec.mode() == Mode.STANDALONE;
    }

    @Override
    public Kind kind() {
        return Kind.CLUSTER;
    }
}
