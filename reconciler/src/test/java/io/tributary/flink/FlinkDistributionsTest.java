package io.tributary.flink;

import io.tributary.build.Digests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FlinkDistributionsTest {
    @TempDir
    Path tmp;

    @Test
    void flink1LibHasTheTableApiAndBridgeAndFlink2TheUberJar() {
        List<String> one = FlinkDistributions.libCoordinates("1.20.1", 1);
        List<String> two = FlinkDistributions.libCoordinates("2.3.0", 2);

        assertThat(one).contains("org.apache.flink:flink-table-api-java:1.20.1", "org.apache.flink:flink-table-api-java-bridge:1.20.1",
                        "org.apache.logging.log4j:log4j-core:2.17.1")
                .doesNotContain("org.apache.flink:flink-table-api-java-uber:1.20.1");
        assertThat(two).contains("org.apache.flink:flink-table-api-java-uber:2.3.0", "org.apache.logging.log4j:log4j-core:2.25.3")
                .doesNotContain("org.apache.flink:flink-table-api-java:2.3.0");
        for (List<String> lib : List.of(one, two)) {
            assertThat(lib).as("what every lib/ needs").anyMatch(c -> c.contains(":flink-runtime:"))
                    .anyMatch(c -> c.contains(":flink-clients:")).anyMatch(c -> c.contains(":flink-streaming-java:"))
                    .anyMatch(c -> c.contains(":flink-runtime-web:")).anyMatch(c -> c.contains(":flink-rpc-akka-loader:"))
                    .anyMatch(c -> c.contains(":flink-table-runtime:")).anyMatch(c -> c.contains(":flink-table-planner-loader:"))
                    .anyMatch(c -> c.contains(":flink-connector-files:")).anyMatch(c -> c.contains(":flink-json:"))
                    .anyMatch(c -> c.contains(":flink-csv:")).anyMatch(c -> c.contains(":log4j-slf4j-impl:"))
                    .doesNotHaveDuplicates();
        }
        assertThat(FlinkDistributions.LIB).allSatisfy(a -> assertThat(a.why()).isNotBlank());
        assertThat(FlinkDistributions.LEFT_OUT.get(2)).allSatisfy(left -> assertThat(two).noneMatch(c -> c.startsWith(left + ":")));
    }

    @ParameterizedTest
    @CsvSource({"1.20.1,1", "1.19.0,1", "1.20,1", "2.0.0,2", "2.3.0,2", "2.1-SNAPSHOT,2"})
    void supportedVersionsAndTheirMajor(String version, int major) {
        assertThat(FlinkDistributions.major(version)).isEqualTo(major);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.18.1", "3.0.0", "0.10", "latest", "1", "1.20.1; rm -rf /"})
    void unsupportedVersionsAreRejectedWithTheReason(String version) {
        assertThatThrownBy(() -> FlinkDistributions.major(version))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(version);
    }

    @Test
    void anInstalledHomeIsReadFromItsLibAndConf() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("opt/flink"));
        Path lib = Files.createDirectories(home.resolve("lib"));
        Files.writeString(lib.resolve("flink-dist-1.20.1.jar"), "dist");
        Files.writeString(lib.resolve("log4j-core-2.17.1.jar"), "log");
        Files.writeString(lib.resolve("flink-table-runtime-1.20.1.jar"), "table");
        Files.writeString(lib.resolve("README.txt"), "not a jar");

        FlinkHome installed = FlinkDistributions.installed(home, Optional.empty());

        assertThat(installed.version()).isEqualTo("1.20.1");
        assertThat(installed.major()).isEqualTo(1);
        assertThat(installed.confDir()).isEqualTo(home.resolve("conf"));
        assertThat(installed.libJars()).extracting(p -> p.getFileName().toString())
                .as("flink-dist last, as Flink's scripts put it")
                .containsExactly("flink-table-runtime-1.20.1.jar", "log4j-core-2.17.1.jar", "flink-dist-1.20.1.jar");
    }

    @Test
    void anInstalledHomeWithoutFlinkDistTakesTheVersionFromItsFolderOrTheDeclaredMajor() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("flink-2.3.0/lib")).getParent();
        Files.writeString(home.resolve("lib/flink-runtime-2.3.0.jar"), "x");

        assertThat(FlinkDistributions.installed(home, Optional.empty()))
                .satisfies(h -> assertThat(h.version()).isEqualTo("2.3.0"))
                .satisfies(h -> assertThat(h.major()).isEqualTo(2));
        assertThat(FlinkDistributions.installed(home, Optional.of(1)).major()).isEqualTo(1);
    }

    @Test
    void aHomeWithoutLibIsAnError() {
        assertThatThrownBy(() -> FlinkDistributions.installed(tmp.resolve("nothing-here"), Optional.of(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has no lib/ folder");
    }

    @Test
    void theMarkerAcceptsExactlyTheListedJarsWithTheirChecksums() throws Exception {
        Path dir = tmp.resolve("1.20.1");
        Path lib = Files.createDirectories(dir.resolve("lib"));
        Files.writeString(lib.resolve("b.jar"), "bbb");
        Files.writeString(lib.resolve("a.jar"), "aaa");
        Map<String, String> shas = new LinkedHashMap<>();
        shas.put("b.jar", Digests.sha256(lib.resolve("b.jar")));
        shas.put("a.jar", Digests.sha256(lib.resolve("a.jar")));

        assertThat(FlinkDistributions.Marker.verify(dir, "t1").reason()).isEqualTo("not resolved yet");
        List<Path> written = FlinkDistributions.Marker.write(dir, "1.20.1", "t1", shas);

        assertThat(written).containsExactly(lib.resolve("a.jar"), lib.resolve("b.jar"));
        assertThat(FlinkDistributions.Marker.verify(dir, "t1").jars()).isEqualTo(written);
        assertThat(FlinkDistributions.Marker.verify(dir, "t2").reason()).isEqualTo("the artifact table changed");

        Files.writeString(lib.resolve("extra.jar"), "x");
        assertThat(FlinkDistributions.Marker.verify(dir, "t1").reason()).isEqualTo("extra file extra.jar");
        Files.delete(lib.resolve("extra.jar"));

        Files.writeString(lib.resolve("b.jar"), "tampered");
        assertThat(FlinkDistributions.Marker.verify(dir, "t1").reason()).isEqualTo("changed b.jar");

        Files.delete(lib.resolve("a.jar"));
        assertThat(FlinkDistributions.Marker.verify(dir, "t1").reason()).isEqualTo("missing a.jar");
    }

    @Test
    void theDefaultConfigurationCarriesJava17OptionsAndAFastWebCache() throws Exception {
        Path conf = tmp.resolve("conf");
        FlinkDistributions.writeDefaultConf(conf, false);

        assertThat(tmp.resolve("plugins")).isDirectory();
        Map<String, Object> config = FlinkConfigFiles.read(conf);
        assertThat(config).containsEntry("web.refresh-interval", "200")
                .containsEntry("jobmanager.memory.process.size", "1600m")
                .containsEntry("taskmanager.memory.process.size", "1728m");
        assertThat((String) config.get("env.java.opts.all"))
                .contains("--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED",
                        "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED");
        assertThat(conf.resolve("log4j.properties")).isRegularFile();
        assertThat(conf.resolve("log4j-console.properties")).isRegularFile();
    }
}
