package io.tributary.model;

import com.fasterxml.jackson.annotation.JsonInclude;
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

    /**
     * Where and how Flink runs on Kubernetes. The pod templates are Pod objects as written in YAML:
     * {@code podTemplate} for the JobManager and TaskManager pods alike, the other two for one of them
     * (over the common one, as Flink's {@code kubernetes.pod-template-file.*} options do). Left out of
     * the spec digest when absent, so specs written before they existed keep their digest.
     */
    public record Kubernetes(String namespace, String context, String image, String serviceAccount, boolean ingress,
            @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Object> podTemplate,
            @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Object> jobManagerPodTemplate,
            @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Object> taskManagerPodTemplate) {

        /** The pod templates by Flink's role name ({@code default}, {@code jobmanager}, {@code taskmanager}). */
        public Map<String, Map<String, Object>> podTemplates() {
            Map<String, Map<String, Object>> templates = new java.util.LinkedHashMap<>();
            if (podTemplate != null) {
                templates.put("default", podTemplate);
            }
            if (jobManagerPodTemplate != null) {
                templates.put("jobmanager", jobManagerPodTemplate);
            }
            if (taskManagerPodTemplate != null) {
                templates.put("taskmanager", taskManagerPodTemplate);
            }
            return templates;
        }
    }

    /** A managed standalone cluster: Tributary runs it on its own host as child processes. */
    public boolean isLocal() {
        return spec.managed() && spec.mode() == Mode.STANDALONE;
    }

    @Override
    public Kind kind() {
        return Kind.CLUSTER;
    }
}
