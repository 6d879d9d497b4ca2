package io.tributary.flink;

import io.tributary.build.Digests;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.build.MavenArtifacts;
import io.tributary.model.FlinkVersion;
import io.tributary.model.Metadata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real distributions from Maven: the lib/ a cluster needs, and a warm resolve that never goes out. */
class FlinkDistributionsIT {
    @TempDir
    static Path data;

    @ParameterizedTest
    @ValueSource(strings = {"1.20.1", "2.3.0"})
    void assemblesWhatALibNeedsAndResolvesAgainOfflineAndFast(String version) throws Exception {
        FlinkHome home;
        long coldMillis;
        try (MavenArtifacts artifacts = FlinkTestSupport.sharedRepository()) {
            long started = System.nanoTime();
            home = new FlinkDistributions(data, artifacts).resolve(flinkVersion(version));
            coldMillis = (System.nanoTime() - started) / 1_000_000;
        }

        assertThat(home.version()).isEqualTo(version);
        assertThat(home.major()).isEqualTo(version.startsWith("1.") ? 1 : 2);
        assertThat(home.home()).isEqualTo(data.resolve("flink").resolve(version));
        List<String> names = home.libJars().stream().map(p -> p.getFileName().toString()).toList();
        assertThat(names).contains(
                "flink-runtime-" + version + ".jar",
                "flink-clients-" + version + ".jar",
                "flink-streaming-java-" + version + ".jar",
                "flink-rpc-akka-loader-" + version + ".jar",
                "flink-runtime-web-" + version + ".jar",
                "flink-table-runtime-" + version + ".jar",
                "flink-table-planner-loader-" + version + ".jar",
                "flink-connector-files-" + version + ".jar",
                "flink-connector-datagen-" + version + ".jar",
                "flink-json-" + version + ".jar",
                "flink-csv-" + version + ".jar",
                "flink-statebackend-rocksdb-" + version + ".jar");
        if (home.major() == 1) {
            assertThat(names).contains("flink-table-api-java-" + version + ".jar",
                    "flink-table-api-java-bridge-" + version + ".jar", "log4j-core-2.17.1.jar", "log4j-slf4j-impl-2.17.1.jar",
                    "frocksdbjni-6.20.3-ververica-2.0.jar");
        } else {
            assertThat(names).contains("flink-table-api-java-uber-" + version + ".jar",
                    "log4j-core-2.25.3.jar", "log4j-slf4j-impl-2.25.3.jar", "frocksdbjni-8.10.0-ververica-1.0.jar");
        }
        assertThat(names).as("optional Hadoop and test jars stay out")
                .noneMatch(n -> n.startsWith("hadoop-") || n.contains("-tests") || n.startsWith("junit"));
        assertThat(names).as("one SLF4J binding").filteredOn(n -> n.startsWith("slf4j-") && !n.startsWith("slf4j-api")).isEmpty();
        assertThat(home.libJars()).allSatisfy(p -> assertThat(p).isRegularFile().hasParent(home.home().resolve("lib")));
        assertThat(Files.readString(home.confDir().resolve("config.yaml")))
                .contains("env.java.opts.all: \"-XX:+IgnoreUnrecognizedVMOptions --add-exports=java.base/sun.net.util=ALL-UNNAMED")
                .contains("web.refresh-interval: \"200\"");
        assertThat(home.confDir().resolve("log4j.properties")).isRegularFile();
        List<String> marker = Files.readAllLines(home.home().resolve(FlinkDistributions.MARKER));
        assertThat(marker).hasSize(names.size() + 1);

        // A repository that cannot answer and an empty local repository: any network or repository
        // access would fail, so a warm resolve must come from the marker alone.
        long started = System.nanoTime();
        FlinkHome again;
        try (MavenArtifacts offline = new MavenArtifacts(data.resolve("empty-m2"),
                List.of(new MavenArtifacts.Repository("nowhere", "http://127.0.0.1:9/")), List.of())) {
            again = new FlinkDistributions(data, offline).resolve(flinkVersion(version));
        }
        long warmMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(again).isEqualTo(home);
        assertThat(warmMillis).isLessThan(5_000);
        System.out.printf("measured flink.version=%s jars=%d resolve.cold.millis=%d resolve.warm.millis=%d%n",
                version, names.size(), coldMillis, warmMillis);
    }

    @Test
    void aDamagedOrMissingJarIsResolvedAgain() throws Exception {
        try (MavenArtifacts artifacts = FlinkTestSupport.sharedRepository()) {
            FlinkDistributions distributions = new FlinkDistributions(data, artifacts);
            FlinkHome home = distributions.resolve(flinkVersion("1.20.1"));
            Path runtime = home.home().resolve("lib/flink-runtime-1.20.1.jar");
            Path json = home.home().resolve("lib/flink-json-1.20.1.jar");
            String runtimeSha = Digests.sha256(runtime);
            Files.write(runtime, new byte[] {1, 2, 3});
            Files.delete(json);

            FlinkHome repaired = distributions.resolve(flinkVersion("1.20.1"));

            assertThat(repaired.libJars()).isEqualTo(home.libJars());
            assertThat(Digests.sha256(runtime)).isEqualTo(runtimeSha);
            assertThat(json).isRegularFile();
        }
    }

    static FlinkVersion flinkVersion(String version) {
        return new FlinkVersion(Metadata.of("flink-" + version, null), new FlinkVersion.Spec(version, null, false));
    }
}
