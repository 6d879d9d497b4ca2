package io.tributary.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ResourceParamsTest {
    @Test
    void theTwoResultLinesBecomeJvmOptionsAndDynamicSettings() {
        String output = """
                2026-11-25 20:43:47,289 INFO  org.apache.flink.runtime.util.bash.BashJavaUtils [] - Total JVM Direct Memory: 256.000mb
                BASH_JAVA_UTILS_EXEC_RESULT:-Xmx536870902 -Xms536870902 -XX:MaxDirectMemorySize=268435458 -XX:MaxMetaspaceSize=268435456
                BASH_JAVA_UTILS_EXEC_RESULT:-D taskmanager.cpu.cores=1.0 -D taskmanager.memory.managed.size=536870920b
                """;

        ResourceParams params = ResourceParams.parse(output, ResourceParams.Role.TASK_MANAGER);

        assertThat(params.jvmArgs()).containsExactly("-Xmx536870902", "-Xms536870902", "-XX:MaxDirectMemorySize=268435458",
                "-XX:MaxMetaspaceSize=268435456");
        assertThat(params.dynamicArgs()).containsExactly("-D", "taskmanager.cpu.cores=1.0", "-D",
                "taskmanager.memory.managed.size=536870920b");
    }

    @Test
    void outputWithoutResultsIsAnErrorThatShowsTheOutput() {
        assertThatThrownBy(() -> ResourceParams.parse("Exception: taskmanager.memory.process.size is too small",
                ResourceParams.Role.TASK_MANAGER))
                .isInstanceOf(LocalClusterException.class)
                .hasMessageContaining("GET_TM_RESOURCE_PARAMS")
                .hasMessageContaining("is too small");
    }
}
