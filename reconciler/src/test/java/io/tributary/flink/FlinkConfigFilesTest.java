package io.tributary.flink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlinkConfigFilesTest {
    @TempDir
    Path tmp;

    @Test
    void nestedAndFlatYamlKeysReadAsOneFlatMap() {
        Map<String, Object> config = FlinkConfigFiles.parseYaml("""
                env:
                  java:
                    opts:
                      all: --add-opens=java.base/java.lang=ALL-UNNAMED
                taskmanager.numberOfTaskSlots: 4
                rest:
                  port: 8081
                pipeline.jars: [a.jar, b.jar]
                """);

        assertThat(config).containsExactly(
                Map.entry("env.java.opts.all", "--add-opens=java.base/java.lang=ALL-UNNAMED"),
                Map.entry("taskmanager.numberOfTaskSlots", "4"),
                Map.entry("rest.port", "8081"),
                Map.entry("pipeline.jars", List.of("a.jar", "b.jar")));
    }

    @Test
    void legacyFlinkConfYamlIsReadLineByLine() {
        Map<String, Object> config = FlinkConfigFiles.parseLegacy("""
                # comment
                jobmanager.rpc.address: localhost
                env.java.opts.all: -Da=b -Dc=d

                state.checkpoints.dir: file:///tmp/cp
                """);

        assertThat(config).containsExactly(
                Map.entry("jobmanager.rpc.address", "localhost"),
                Map.entry("env.java.opts.all", "-Da=b -Dc=d"),
                Map.entry("state.checkpoints.dir", "file:///tmp/cp"));
    }

    @Test
    void renderedValuesStayStringsThroughYaml() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("version.like", "1.20");
        config.put("boolean.like", "on");
        config.put("quoted", "say \"hi\" \\ bye");
        config.put("multi.line", "a\nb\tc");
        config.put("with.colon", "file:///data/checkpoints # not a comment");
        config.put("list", List.of("x: 1", "y"));

        String text = FlinkConfigFiles.render(config, "header line one\nline two");

        assertThat(text).startsWith("# header line one\n# line two\nversion.like: \"1.20\"\n");
        assertThat(FlinkConfigFiles.parseYaml(text)).isEqualTo(config);
    }

    @Test
    void configYamlWinsOverLegacyFileAndNoFileMeansEmpty() throws Exception {
        assertThat(FlinkConfigFiles.read(tmp)).isEmpty();
        Files.writeString(tmp.resolve("flink-conf.yaml"), "a: legacy\n");
        assertThat(FlinkConfigFiles.read(tmp)).containsEntry("a", "legacy");
        Files.writeString(tmp.resolve("config.yaml"), "a: standard\n");
        assertThat(FlinkConfigFiles.read(tmp)).containsExactly(Map.entry("a", "standard"));
    }

    @Test
    void loggingDefaultsAreWrittenOnlyWhereMissing() throws Exception {
        Files.writeString(tmp.resolve("log4j.properties"), "mine");

        FlinkConfigFiles.writeLoggingDefaults(tmp);

        assertThat(tmp.resolve("log4j.properties")).hasContent("mine");
        assertThat(Files.readString(tmp.resolve("log4j-console.properties"))).contains("appender.console.type = CONSOLE");
        assertThat(FlinkConfigFiles.LOG4J_FILE_PROPERTIES).contains("appender.main.fileName = ${sys:log.file}");
    }
}
