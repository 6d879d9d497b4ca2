package io.tributary.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.model.Cluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pod templates of a spec become the files Flink's kubernetes.pod-template-file.* options name. */
class PodTemplateFilesTest {
    @TempDir
    Path dir;

    private static Cluster.Kubernetes k8s(Map<String, Object> common, Map<String, Object> taskManager) {
        return new Cluster.Kubernetes("flink", null, null, null, false, common, null, taskManager);
    }

    @Test
    void eachTemplateIsAPodFileNamedByItsContentAndAChangedOneReplacesTheOld() throws Exception {
        Map<String, Object> labelled = Map.of("metadata", Map.of("labels", Map.of("team", "payments")));
        Map<String, String> options = KubernetesClusters.podTemplateFiles(k8s(labelled,
                Map.of("spec", Map.of("nodeSelector", Map.of("pool", "workers")))), dir);

        assertThat(options).containsOnlyKeys("kubernetes.pod-template-file.default",
                "kubernetes.pod-template-file.taskmanager");
        String common = Files.readString(Path.of(options.get("kubernetes.pod-template-file.default")));
        assertThat(common).contains("\"apiVersion\" : \"v1\"", "\"kind\" : \"Pod\"", "\"team\" : \"payments\"");
        assertThat(KubernetesClusters.podTemplateFiles(k8s(labelled, Map.of("spec", Map.of("nodeSelector",
                Map.of("pool", "workers")))), dir)).as("the same templates, the same files").isEqualTo(options);

        Map<String, String> changed = KubernetesClusters.podTemplateFiles(k8s(Map.of("metadata",
                Map.of("labels", Map.of("team", "risk"))), null), dir);
        assertThat(changed.get("kubernetes.pod-template-file.default"))
                .isNotEqualTo(options.get("kubernetes.pod-template-file.default"));
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(f -> f.toAbsolutePath().toString()).toList()).as("only the current template is left")
                    .isEqualTo(List.of(changed.get("kubernetes.pod-template-file.default")));
        }
        assertThat(KubernetesClusters.podTemplateFiles(k8s(null, null), dir)).isEmpty();
    }
}
