package io.tributary.flink;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.tributary.build.JobArtifacts;
import io.tributary.build.MavenArtifacts;
import io.tributary.model.Application;
import io.tributary.model.JobState;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A jar application: its artifact from Maven coordinates or a URL (downloaded once), submitted to
 * a real 1.20.1 local cluster, where it reaches RUNNING.
 */
class JarApplicationIT {
    /** Flink's own example; 1.20.1 of it is not published here, 1.20.0 runs on a 1.20.1 cluster. */
    private static final String EXAMPLE = "org.apache.flink:flink-examples-streaming:1.20.0";
    private static final String ENTRY_CLASS = "org.apache.flink.streaming.examples.statemachine.StateMachineExample";

    @TempDir
    Path data;

    @Test
    void aJarFromMavenAndTheSameJarFromAUrlRunOnALocalCluster() throws Exception {
        try (MavenArtifacts maven = FlinkTestSupport.sharedRepository()) {
            JobArtifacts artifacts = new JobArtifacts(maven, data.resolve("artifacts"), HttpClient.newHttpClient());
            Path fromMaven = artifacts.jar(new Application.Jar(EXAMPLE, null, null, ENTRY_CLASS, List.of()));
            assertThat(fromMaven).isRegularFile();

            AtomicInteger downloads = new AtomicInteger();
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/example.jar", exchange -> {
                downloads.incrementAndGet();
                exchange.sendResponseHeaders(200, Files.size(fromMaven));
                try (var out = exchange.getResponseBody()) {
                    Files.copy(fromMaven, out);
                }
            });
            server.start();
            Path fromUrl;
            try {
                String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/example.jar";
                Application.Jar byUrl = new Application.Jar(null, url, null, ENTRY_CLASS, List.of());
                fromUrl = artifacts.jar(byUrl);
                assertThat(artifacts.jar(byUrl)).isEqualTo(fromUrl);
            } finally {
                server.stop(0);
            }
            assertThat(downloads).hasValue(1);
            assertThat(Files.mismatch(fromUrl, fromMaven)).isEqualTo(-1L);

            FlinkHome home = new FlinkDistributions(data, maven).resolve(FlinkDistributionsIT.flinkVersion("1.20.1"));
            try (LocalCluster cluster = LocalCluster.startOrAdopt(home, 1, 2, Map.of(
                    "jobmanager.memory.process.size", "1g", "taskmanager.memory.process.size", "1g"),
                    data.resolve("cluster"), LocalCluster.Options.defaults())) {
                cluster.awaitReady(Duration.ofSeconds(120));
                StandaloneSessionTarget target = new StandaloneSessionTarget(FlinkRestClient.of(cluster.restUrl().toString()));
                JobId id = JobId.random();
                target.submit(new JobSubmission(id, fromUrl, ENTRY_CLASS, List.of("--sleep", "10"), 1, null, false,
                        Map.of()));
                StandaloneSessionTargetIT.await(Duration.ofSeconds(60),
                        () -> target.job(id).map(j -> j.state() == JobState.RUNNING).orElse(false));
                target.cancel(id);
                StandaloneSessionTargetIT.await(Duration.ofSeconds(30),
                        () -> target.job(id).map(j -> j.state() == JobState.CANCELED).orElse(false));
            }
        }
    }
}
