package io.tributary.bench;

import io.tributary.build.MavenArtifacts;
import io.tributary.flink.FlinkDistributions;
import io.tributary.flink.FlinkHome;
import io.tributary.flink.FlinkRestClient;
import io.tributary.flink.JobId;
import io.tributary.flink.JobSubmission;
import io.tributary.flink.LocalCluster;
import io.tributary.flink.StandaloneSessionTarget;
import io.tributary.model.FlinkVersion;
import io.tributary.model.JobState;
import io.tributary.model.Metadata;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What our Flink layer costs on top of Flink's REST API when submitting a job, against the target
 * of at most 1.1x a bare REST call sequence; and how long a local cluster takes to start.
 *
 * <p>One local cluster of Flink 1.20.1 (1 JobManager, 1 TaskManager with 2 slots) is started and
 * timed from {@code LocalCluster.start} to {@code awaitReady}. Then Flink's StateMachineExample jar
 * is submitted, alternately, through {@link StandaloneSessionTarget#submit} (polling
 * {@code target.job(id)}) and by hand with java.net.http ({@code POST /jars/:id/run}, polling
 * {@code GET /jobs/overview} as the target does), each timed until Flink reports the job RUNNING.
 * The jar is uploaded once for each side before the timed rounds (ours caches the upload per
 * content, as it does in service). Every job is cancelled, and the next round starts when both
 * slots are free again.
 *
 * <p>Run: {@code bench/run.sh submit [rounds]} (default 30 rounds after 2 warm-up rounds per side).
 */
public final class SubmitBenchmark {
    private static final String FLINK = "1.20.1";
    /** Flink's own example; 1.20.1 of it is not published everywhere, 1.20.0 runs on a 1.20.1 cluster. */
    private static final String EXAMPLE = "org.apache.flink:flink-examples-streaming:1.20.0";
    private static final String ENTRY_CLASS = "org.apache.flink.streaming.examples.statemachine.StateMachineExample";
    private static final List<String> ARGS = List.of("--sleep", "10");
    private static final double TARGET_RATIO = 1.10;
    private static final Duration POLL = Duration.ofMillis(10);
    private static final JsonMapper JSON = JsonMapper.shared();
    private static final Pattern SLOTS_AVAILABLE = Pattern.compile("\"slots-available\"\\s*:\\s*(\\d+)");

    private final HttpClient http = HttpClient.newHttpClient();
    private final URI rest;
    private final StandaloneSessionTarget target;
    private final Path jar;
    private String bareJarId;
    /** How long the last timed submit call itself took (ours: submit(); bare: the run POST), in ms. */
    private double lastCallMillis;

    private SubmitBenchmark(URI rest, Path jar) {
        this.rest = rest;
        this.jar = jar;
        this.target = new StandaloneSessionTarget(FlinkRestClient.of(rest.toString()));
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        Path data = Files.createTempDirectory("tributary-bench-submit");
        Path m2 = Path.of(System.getProperty("user.home"), ".m2", "repository");
        LocalCluster cluster = null;
        try {
            FlinkHome home;
            Path jar;
            try (MavenArtifacts maven = new MavenArtifacts(m2)) {
                home = new FlinkDistributions(data, maven).resolve(
                        new FlinkVersion(Metadata.of("flink", null), new FlinkVersion.Spec(FLINK, null, false)));
                jar = maven.resolve(List.of(EXAMPLE), false).get(0);
            }

            long started = System.nanoTime();
            cluster = LocalCluster.start(home, 1, 2, Map.of(
                    "jobmanager.memory.process.size", "1g", "taskmanager.memory.process.size", "1g"),
                    data.resolve("cluster"));
            long launched = System.nanoTime();
            cluster.awaitReady(Duration.ofSeconds(120));
            long ready = System.nanoTime();
            System.out.printf("flink %s local cluster (1 JM, 1 TM x 2 slots): start() %d ms, start() to awaitReady %d ms%n",
                    FLINK, (launched - started) / 1_000_000, (ready - started) / 1_000_000);

            new SubmitBenchmark(cluster.restUrl(), jar).compare(rounds);
        } finally {
            if (cluster != null) {
                cluster.stop();
            }
            LoadBenchmark.deleteTree(data);
        }
    }

    private void compare(int rounds) throws Exception {
        bareJarId = uploadBare();
        for (int i = 0; i < 2; i++) {
            // the first jobs on a fresh cluster are seconds slower (class loading, JIT) for both sides
            timeOurs();
            timeBare();
        }
        List<Double> ours = new ArrayList<>();
        List<Double> bare = new ArrayList<>();
        List<Double> oursCall = new ArrayList<>();
        List<Double> bareCall = new ArrayList<>();
        System.out.printf("%6s %10s %10s %12s %12s%n", "round", "ours ms", "bare ms", "ours call", "bare call");
        for (int round = 1; round <= rounds; round++) {
            // alternate who goes first, so drift of the machine hits both sides alike
            double o;
            double b;
            double oc;
            double bc;
            if (round % 2 == 1) {
                o = timeOurs();
                oc = lastCallMillis;
                b = timeBare();
                bc = lastCallMillis;
            } else {
                b = timeBare();
                bc = lastCallMillis;
                o = timeOurs();
                oc = lastCallMillis;
            }
            ours.add(o);
            bare.add(b);
            oursCall.add(oc);
            bareCall.add(bc);
            System.out.printf("%6d %10.1f %10.1f %12.1f %12.1f%n", round, o, b, oc, bc);
        }
        double oursMedian = median(ours);
        double bareMedian = median(bare);
        System.out.printf("median: ours %.1f ms, bare REST %.1f ms, ratio %.2fx (target <= %.2fx: %s)%n", oursMedian,
                bareMedian, oursMedian / bareMedian, TARGET_RATIO, oursMedian / bareMedian <= TARGET_RATIO ? "met" : "NOT met");
        System.out.printf("median of the submit call alone: ours (submit) %.1f ms, bare (POST run) %.1f ms%n",
                median(oursCall), median(bareCall));
        System.out.printf("min:    ours %.1f ms, bare REST %.1f ms%n", ours.stream().min(Comparator.naturalOrder()).get(),
                bare.stream().min(Comparator.naturalOrder()).get());
        List<Double> paired = new ArrayList<>();
        for (int i = 0; i < ours.size(); i++) {
            paired.add(ours.get(i) / bare.get(i));
        }
        // each round's two submits ran back to back: their ratio is less exposed to load that comes and goes
        System.out.printf("median of per-round ratios: %.2fx%n", median(paired));
    }

    /** Our layer: submit, then what a reconciler would poll. */
    private double timeOurs() {
        JobId id = JobId.random();
        long start = System.nanoTime();
        target.submit(new JobSubmission(id, jar, ENTRY_CLASS, ARGS, 1, null, false, Map.of()));
        lastCallMillis = (System.nanoTime() - start) / 1e6;
        await(() -> target.job(id).map(j -> j.state() == JobState.RUNNING).orElse(false));
        double millis = (System.nanoTime() - start) / 1e6;
        target.cancel(id);
        await(() -> target.job(id).map(j -> j.state() == JobState.CANCELED).orElse(false));
        awaitSlotsFree();
        return millis;
    }

    /** Flink's REST API by hand: run the uploaded jar, poll the job. */
    private double timeBare() throws Exception {
        String id = JobId.random().hex();
        String body = "{\"entryClass\":\"" + ENTRY_CLASS + "\",\"programArgsList\":[\"" + String.join("\",\"", ARGS)
                + "\"],\"parallelism\":1,\"jobId\":\"" + id + "\"}";
        long start = System.nanoTime();
        HttpResponse<String> run = http.send(HttpRequest.newBuilder(rest.resolve("/jars/" + bareJarId + "/run"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        check(run, "run");
        lastCallMillis = (System.nanoTime() - start) / 1e6;
        await(() -> "RUNNING".equals(bareState(id)));
        double millis = (System.nanoTime() - start) / 1e6;
        check(http.send(HttpRequest.newBuilder(rest.resolve("/jobs/" + id + "?mode=cancel"))
                .method("PATCH", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()), "cancel");
        await(() -> "CANCELED".equals(bareState(id)));
        awaitSlotsFree();
        return millis;
    }

    /**
     * The job's state as {@code GET /jobs/overview} lists it: the endpoint our target polls too. (A
     * poll of {@code /jobs/:id} would read the REST handler's cache, refreshed every
     * web.refresh-interval, and measure that interval instead of the submit.)
     */
    private String bareState(String id) {
        for (JsonNode job : JSON.readTree(get("/jobs/overview").body()).path("jobs")) {
            if (id.equals(job.path("jid").asString())) {
                return job.path("state").asString();
            }
        }
        return "";
    }

    private String uploadBare() throws IOException, InterruptedException {
        String boundary = "bench-" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\"" + jar.getFileName() + "\"\r\n"
                + "Content-Type: application/x-java-archive\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.write(Files.readAllBytes(jar));
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> upload = http.send(HttpRequest.newBuilder(rest.resolve("/jars/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
        check(upload, "upload");
        Matcher m = Pattern.compile("\"filename\"\\s*:\\s*\"([^\"]+)\"").matcher(upload.body());
        if (!m.find()) {
            throw new IllegalStateException("upload answered without a filename: " + upload.body());
        }
        return m.group(1).substring(m.group(1).lastIndexOf('/') + 1);
    }

    /** The next round starts on an idle cluster: both slots free again. */
    private void awaitSlotsFree() {
        await(() -> {
            Matcher m = SLOTS_AVAILABLE.matcher(get("/overview").body());
            return m.find() && Integer.parseInt(m.group(1)) == 2;
        });
    }

    private HttpResponse<String> get(String path) {
        try {
            return http.send(HttpRequest.newBuilder(rest.resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("GET " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void check(HttpResponse<String> response, String what) {
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(what + " answered HTTP " + response.statusCode() + ": " + response.body());
        }
    }

    private static void await(Supplier<Boolean> condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not reached within 60 s");
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
