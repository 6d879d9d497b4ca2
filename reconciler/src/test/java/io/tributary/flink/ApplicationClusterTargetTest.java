package io.tributary.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a deploy does with an app's cluster that is already there: the YARN application or Kubernetes
 * deployment of the job an upgrade has just stopped with a savepoint may still be ending.
 */
class ApplicationClusterTargetTest {
    private final JobSubmission submission = new JobSubmission(JobId.random(), Path.of("job.jar"), null, List.of(), 1,
            "file:///savepoints/sp-1", false, Map.of());
    private HttpServer newCluster;
    private URI gone;

    @BeforeEach
    void start() throws IOException {
        // the new cluster's REST API, listing the deployed job
        newCluster = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        newCluster.createContext("/jobs/overview", exchange -> {
            byte[] body = ("{\"jobs\":[{\"jid\":\"" + submission.jobId().hex() + "\",\"name\":\"payments/ledger\","
                    + "\"state\":\"RUNNING\",\"start-time\":1}]}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        newCluster.start();
        try (ServerSocket closed = new ServerSocket(0)) {
            gone = URI.create("http://127.0.0.1:" + closed.getLocalPort()); // nothing listens there afterwards
        }
    }

    @AfterEach
    void stop() {
        newCluster.stop(0);
    }

    @Test
    void aClusterThatEndsWhileItIsAskedIsReplacedByTheNewOne() {
        FakeCluster cluster = new FakeCluster(1); // exists at the first look only: its job just stopped
        target(cluster).submit(submission);
        assertThat(cluster.calls).containsExactly("deploy " + submission.jobId().hex());
    }

    @Test
    void aClusterThatStaysButNeverAnswersIsLeftAlone() {
        FakeCluster cluster = new FakeCluster(Integer.MAX_VALUE);
        assertThatThrownBy(() -> target(cluster).submit(submission)).isInstanceOf(FlinkException.Rejected.class)
                .hasMessageContaining("exists but its REST API did not answer");
        assertThat(cluster.calls).isEmpty();
    }

    private ApplicationClusterTarget target(AppCluster cluster) {
        return new ApplicationClusterTarget(cluster,
                url -> new FlinkRestClient(url, HttpClient.newHttpClient(), Duration.ofSeconds(2)),
                Duration.ofSeconds(3), Duration.ofMillis(20));
    }

    /** An old cluster that exists for its first {@code looks}, with a REST API gone; then the deployed one. */
    private final class FakeCluster implements AppCluster {
        final List<String> calls = new ArrayList<>();
        private int looks;
        private boolean deployed;

        FakeCluster(int looks) {
            this.looks = looks;
        }

        @Override
        public String describe() {
            return "YARN application payments/ledger";
        }

        @Override
        public synchronized boolean exists() {
            return deployed || looks-- > 0;
        }

        @Override
        public synchronized void deploy(JobSubmission job) {
            calls.add("deploy " + job.jobId().hex());
            deployed = true;
        }

        @Override
        public synchronized Optional<URI> restUrl() {
            return Optional.of(deployed ? URI.create("http://127.0.0.1:" + newCluster.getAddress().getPort()) : gone);
        }

        @Override
        public String diagnostics() {
            return "";
        }

        @Override
        public synchronized void delete() {
            calls.add("delete");
        }
    }
}
