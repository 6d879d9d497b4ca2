package io.tributary.bench;

import io.tributary.build.SqlJobJar;
import io.tributary.flink.JobId;
import io.tributary.flink.SqlRunnerJar;
import io.tributary.server.Service;
import io.tributary.server.ServiceConfig;
import io.tributary.source.Credentials;
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
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.Git;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The service end to end against doing the same by hand on Flink's REST API, on one managed local
 * cluster of Flink 1.20.1 that the service starts (1 TaskManager with 16 slots):
 *
 * <ol>
 *   <li><b>commit to RUNNING</b>: a new SQL app (datagen to blackhole, a new name each round) is
 *       committed to the Git repository the service serves, {@code POST /api/v1/sync} is called and
 *       the clock runs until the moment Flink records the job of the app's name as RUNNING (its
 *       {@code timestamps.RUNNING}). Baseline: the same SQL job jar (built as the service builds it),
 *       uploaded once, run with {@code POST /jars/:id/run} and the same arguments, timed the same way;
 *       and, beside it, the jar uploaded and run each time, as a script does. Target: at most 1.2x.
 *       Between rounds the app is deleted from Git (and synced) and the baseline jobs cancelled.
 *   <li><b>savepoint upgrade downtime</b>: a counting SQL app's SQL changes (a comment), commit,
 *       sync; a watcher polling {@code /jobs/overview} every 20 ms measures from the moment the old
 *       job leaves RUNNING until the new job is RUNNING. Baseline: a job of the same SQL submitted
 *       by REST, upgraded by hand: {@code POST /jobs/:id/stop} (no drain), the trigger's status
 *       polled every 50 ms until COMPLETED, then the jar run from the savepoint; same watcher.
 *       Target: at most 1.1x.
 * </ol>
 *
 * <p>The service runs in this JVM with a poll interval of one hour, so only the trigger fetches.
 * Who goes first rotates per round among the three submit sides and alternates among the two upgrade
 * sides, with a 2 s pause between a round's submits and its upgrades and after the upgrades.
 *
 * <p>Run: {@code bench/run.sh reconcile [rounds] [warm-ups]} (default 5 rounds of each after 3 warm-up rounds
 * of each, which are not counted).
 */
public final class ReconcileBenchmark {
    private static final double SUBMIT_TARGET = 1.2;
    private static final double DOWNTIME_TARGET = 1.1;
    private static final Duration WATCH_POLL = Duration.ofMillis(20);
    /** Between a round's submits and its upgrades, and after them: the restored jobs' start is not measured. */
    private static final Duration QUIET_PAUSE = Duration.ofSeconds(2);
    private static final Duration SAVEPOINT_POLL = Duration.ofMillis(50);
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final JsonMapper JSON = JsonMapper.shared();
    private static final String TEAM = "streams";
    private static final String CHECKPOINT_RETENTION = "RETAIN_ON_CANCELLATION";

    private static final String ADMIN_PASSWORD = "admin-password-of-the-benchmark";
    private final HttpClient http = HttpClient.newHttpClient();
    private String apiToken;
    private final Path repoDir;
    private final Git git;
    private final URI api;
    private URI flink;
    private Path jar;
    /** The SQL job jar uploaded once, which the strict baseline runs. */
    private String jarId;
    /** Of the last submit timed: ms from its start (trigger or run call) until Flink's start-time of the job. */
    private long lastToFlink;
    /** Of the last bare submit: how long the run call itself took, in ms. */
    private double lastRunCall;

    private ReconcileBenchmark(Path repoDir, Git git, int port) {
        this.repoDir = repoDir;
        this.git = git;
        this.api = URI.create("http://127.0.0.1:" + port);
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int warmUps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        System.out.println("load at start: " + loadavg());
        Path temp = Files.createTempDirectory("tributary-bench-reconcile");
        Path repoDir = temp.resolve("config");
        Service service = null;
        try (Git git = Git.init().setDirectory(repoDir.toFile()).setInitialBranch("main").call()) {
            writeRepo(repoDir, "-- v0");
            commit(git, "platform and a counting app");
            long started = System.nanoTime();
            service = Service.start(new ServiceConfig(repoDir.toString(), "main", null, new Credentials.None(),
                    temp.resolve("data"), null, null, null, 0, Duration.ofHours(1), 2,
                    Path.of(System.getProperty("user.home"), ".m2", "repository"), ADMIN_PASSWORD));
            ReconcileBenchmark bench = new ReconcileBenchmark(repoDir, git, service.port());
            bench.flink = bench.awaitFlinkUrl();
            bench.await("the counting app runs", () -> bench.running(TEAM + "/counter").isPresent());
            System.out.printf("service start to the counting app RUNNING (cluster start included): %.1f s, flink at %s%n",
                    (System.nanoTime() - started) / 1e9, bench.flink);
            bench.run(temp, rounds, warmUps);
        } finally {
            if (service != null) {
                service.close();
            }
            System.out.println("load at end: " + loadavg());
            LoadBenchmark.deleteTree(temp);
        }
    }

    private void run(Path temp, int rounds, int warmUps) throws Exception {
        jar = SqlJobJar.build(SqlRunnerJar.locate(temp.resolve("work")), List.of(), temp.resolve("job-jars"));
        jarId = upload(jar);
        String bareCounter = submit("bare/counter", counterSql("-- v0"), counterConfig(), null);
        await("the bare counting job runs", () -> running("bare/counter").isPresent());

        String[] bareJob = {bareCounter};
        // warm-up: the first SQL jobs on a fresh cluster are slower for both sides, and a service that has
        // run for a while has its deploy and upgrade paths compiled by the JIT; neither is what a round measures
        for (int i = 1; i <= warmUps; i++) {
            serviceSubmit("warmup-" + i);
            bareSubmit("warmup-" + i, false);
            bareSubmit("warmup-" + i, true);
            serviceUpgrade("w" + i);
            bareUpgrade("w" + i, bareJob);
        }

        List<Double> ours = new ArrayList<>();
        List<Double> bare = new ArrayList<>();
        List<Double> uploadAndRun = new ArrayList<>();
        List<Double> oursToFlink = new ArrayList<>();
        List<Double> bareToFlink = new ArrayList<>();
        List<Double> bareRunCall = new ArrayList<>();
        List<Double> oursDown = new ArrayList<>();
        List<Double> bareDown = new ArrayList<>();
        System.out.printf("%6s %12s %12s %12s %10s %10s | %12s %12s %10s %10s%n", "round", "submit ours", "submit bare",
                "upload+run", "ours st*", "bare st*", "down ours", "down bare", "ours gap*", "bare gap*");
        for (int round = 1; round <= rounds; round++) {
            double o = 0;
            double b = 0;
            double u = 0;
            long ot = 0;
            long bt = 0;
            // each side goes first as often as the others: the first submit after the upgrades pays for
            // the cluster's work on the restored jobs, whoever makes it
            for (int i = 0; i < 3; i++) {
                int side = (round + i) % 3;
                if (side == 0) {
                    o = serviceSubmit("e2e-" + round);
                    ot = lastToFlink;
                } else if (side == 1) {
                    b = bareSubmit("e2e-" + round, false);
                    bt = lastToFlink;
                } else {
                    u = bareSubmit("e2e-" + round, true);
                }
            }
            sleep(QUIET_PAUSE);
            Downtime od;
            Downtime bd;
            if (round % 2 == 1) {
                od = serviceUpgrade("v" + round);
                bd = bareUpgrade("v" + round, bareJob);
            } else {
                bd = bareUpgrade("v" + round, bareJob);
                od = serviceUpgrade("v" + round);
            }
            sleep(QUIET_PAUSE);
            oursToFlink.add((double) ot);
            bareToFlink.add((double) bt);
            bareRunCall.add(lastRunCall);
            ours.add(o);
            bare.add(b);
            uploadAndRun.add(u);
            oursDown.add(od.millis());
            bareDown.add(bd.millis());
            System.out.printf("%6d %12.0f %12.0f %12.0f %10d %10d | %12.0f %12.0f %10d %10d%n", round, o, b, u, ot, bt,
                    od.millis(), bd.millis(), od.flinkGapMillis(), bd.flinkGapMillis());
        }
        System.out.println("* st: from the trigger (ours) or the run call (bare) to the job's start-time in Flink (ms);"
                + " gap: the new job's start-time minus the old job's end-time, as Flink records them (ms)");
        System.out.printf("median to Flink's start-time: ours %.0f ms, bare %.0f ms; median bare run call %.0f ms%n",
                median(oursToFlink), median(bareToFlink), median(bareRunCall));
        double om = median(ours);
        double bm = median(bare);
        System.out.printf("commit -> RUNNING: median ours %.0f ms, bare REST %.0f ms, ratio %.2fx (target <= %.2fx: %s); "
                + "median of per-round ratios %.2fx%n", om, bm, om / bm, SUBMIT_TARGET, om / bm <= SUBMIT_TARGET ? "met" : "NOT met",
                median(ratios(ours, bare)));
        double um = median(uploadAndRun);
        System.out.printf("commit -> RUNNING against upload + run (a script's REST submit of a jar): median %.0f ms,"
                + " ratio %.2fx; median of per-round ratios %.2fx%n", um, om / um, median(ratios(ours, uploadAndRun)));
        double odm = median(oursDown);
        double bdm = median(bareDown);
        System.out.printf("upgrade downtime: median ours %.0f ms, by hand %.0f ms, ratio %.2fx (target <= %.2fx: %s); "
                + "median of per-round ratios %.2fx%n", odm, bdm, odm / bdm, DOWNTIME_TARGET,
                odm / bdm <= DOWNTIME_TARGET ? "met" : "NOT met", median(ratios(oursDown, bareDown)));
    }

    // ---- target 1: commit -> RUNNING

    /** Commits a new app, triggers a sync, times until its job runs; then deletes the app and waits until it is gone. */
    private double serviceSubmit(String name) throws Exception {
        String job = TEAM + "/" + name;
        write("teams/streams/" + name + ".yaml", """
                apiVersion: tributary.io/v1
                kind: Application
                metadata: {name: %s, team: %s}
                spec:
                  deployment: {mode: standalone-session, cluster: local}
                  job:
                    type: sql
                    sql:
                      script: |
                %s
                """.formatted(name, TEAM, sinkSql().strip().indent(8).stripTrailing()));
        commit(git, "add " + name);
        long wall = System.currentTimeMillis();
        triggerSync();
        await(job + " runs", () -> running(job).isPresent());
        String id = running(job).orElseThrow();
        double millis = runningAt(id) - wall;
        lastToFlink = startTime(id) - wall;
        Files.delete(repoDir.resolve("teams/streams/" + name + ".yaml"));
        git.rm().addFilepattern("teams/streams/" + name + ".yaml").call();
        commit(git, "remove " + name);
        triggerSync();
        await(job + " is removed", () -> get(api.resolve("/api/v1/applications/" + job)).statusCode() == 404
                && running(job).isEmpty());
        return millis;
    }

    /**
     * Runs the same SQL under a new JobID, times until RUNNING, then cancels it. The strict baseline runs
     * the jar uploaded once; with {@code upload}, the jar is uploaded first and deleted after, as a script
     * that submits a job by REST does each time.
     */
    private double bareSubmit(String name, boolean upload) throws Exception {
        String job = (upload ? "upload/" : "bare/") + name;
        long start = System.nanoTime();
        long wall = System.currentTimeMillis();
        String uploaded = upload ? upload(jar) : jarId;
        String id = submit(uploaded, job, sinkSql(), Map.of("execution.checkpointing.externalized-checkpoint-retention",
                CHECKPOINT_RETENTION), null);
        if (!upload) {
            lastRunCall = (System.nanoTime() - start) / 1e6;
        }
        await(job + " runs", () -> id.equals(running(job).orElse(null)));
        double millis = runningAt(id) - wall;
        lastToFlink = startTime(id) - wall;
        check(send(HttpRequest.newBuilder(flink.resolve("/jobs/" + id + "?mode=cancel"))
                .method("PATCH", HttpRequest.BodyPublishers.noBody()).build()), "cancel");
        await(job + " is cancelled", () -> state(id).map(s -> !"RUNNING".equals(s) && !"CANCELLING".equals(s)).orElse(true));
        if (upload) {
            check(send(HttpRequest.newBuilder(flink.resolve("/jars/" + uploaded)).DELETE().build()), "delete jar");
        }
        return millis;
    }

    // ---- target 2: savepoint upgrade downtime

    /** How long no job of the app ran, as the watcher saw it, and the same from Flink's own timestamps. */
    private record Downtime(double millis, long flinkGapMillis) {}

    private Downtime serviceUpgrade(String version) throws Exception {
        String job = TEAM + "/counter";
        String old = running(job).orElseThrow();
        CompletableFuture<Downtime> watch = watch(job, old);
        write("sql/counter.sql", counterSql("-- " + version));
        commit(git, "counter " + version);
        triggerSync();
        Downtime d = watch.get();
        // the service writes its records after the submit: let it finish before the next round
        await("the upgrade is recorded", () -> !old.equals(api("/api/v1/applications/" + job).path("application")
                .path("status").path("jobId").asString(old)));
        return d;
    }

    private Downtime bareUpgrade(String version, String[] current) throws Exception {
        String job = "bare/counter";
        String old = current[0];
        CompletableFuture<Downtime> watch = watch(job, old);
        HttpResponse<String> stop = send(HttpRequest.newBuilder(flink.resolve("/jobs/" + old + "/stop"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"drain\":false}")).build());
        check(stop, "stop");
        String trigger = JSON.readTree(stop.body()).path("request-id").asString();
        String savepoint = null;
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (savepoint == null) {
            JsonNode status = api(flink, "/jobs/" + old + "/savepoints/" + trigger);
            if ("COMPLETED".equals(status.path("status").path("id").asString())) {
                JsonNode operation = status.path("operation");
                if (operation.has("failure-cause")) {
                    throw new IllegalStateException("savepoint failed: " + operation.path("failure-cause"));
                }
                savepoint = operation.path("location").asString();
            } else if (System.nanoTime() > deadline) {
                throw new IllegalStateException("savepoint of " + old + " not completed within " + TIMEOUT);
            } else {
                Thread.sleep(SAVEPOINT_POLL.toMillis());
            }
        }
        current[0] = submit(job, counterSql("-- " + version), counterConfig(), savepoint);
        return watch.get();
    }

    /**
     * Polls {@code /jobs/overview} until a job named {@code name} other than {@code old} runs; the
     * downtime starts at the first poll that sees {@code old} no longer RUNNING.
     */
    private CompletableFuture<Downtime> watch(String name, String old) {
        return CompletableFuture.supplyAsync(() -> {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            long stopped = 0;
            while (System.nanoTime() < deadline) {
                JsonNode jobs = api(flink, "/jobs/overview").path("jobs");
                long now = System.nanoTime();
                JsonNode oldJob = null;
                JsonNode newJob = null;
                for (JsonNode j : jobs) {
                    if (old.equals(j.path("jid").asString())) {
                        oldJob = j;
                    } else if (name.equals(j.path("name").asString()) && "RUNNING".equals(j.path("state").asString())) {
                        newJob = j;
                    }
                }
                if (stopped == 0 && (oldJob == null || !"RUNNING".equals(oldJob.path("state").asString()))) {
                    stopped = now;
                }
                if (stopped != 0 && newJob != null) {
                    long gap = oldJob == null ? -1 : newJob.path("start-time").asLong() - oldJob.path("end-time").asLong();
                    return new Downtime((now - stopped) / 1e6, gap);
                }
                sleep(WATCH_POLL);
            }
            throw new IllegalStateException("no new job of " + name + " within " + TIMEOUT);
        });
    }

    // ---- the SQL and the repository

    private static String sinkSql() {
        return """
                CREATE TABLE numbers (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '5');
                CREATE TABLE sink (id BIGINT) WITH ('connector' = 'blackhole');
                INSERT INTO sink SELECT id FROM numbers;
                """;
    }

    /** 20 rows a second counted: a job with state for the savepoint to carry. */
    private static String counterSql(String comment) {
        return comment + "\n" + """
                CREATE TABLE numbers (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '20');
                CREATE TABLE counts (n BIGINT) WITH ('connector' = 'blackhole');
                INSERT INTO counts SELECT COUNT(*) FROM numbers;
                """;
    }

    /** What the service passes for the counting app (see JobLauncher.jobConfiguration). */
    private static Map<String, String> counterConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("execution.checkpointing.externalized-checkpoint-retention", CHECKPOINT_RETENTION);
        config.put("execution.checkpointing.interval", "5s");
        return config;
    }

    private static void writeRepo(Path dir, String counterComment) throws IOException {
        writeFile(dir, "platform/platform.yaml", """
                apiVersion: tributary.io/v1
                kind: FlinkVersion
                metadata: {name: flink-1.20}
                spec: {version: 1.20.1, default: true}
                ---
                apiVersion: tributary.io/v1
                kind: Cluster
                metadata: {name: local}
                spec:
                  mode: standalone
                  managed: true
                  standalone: {taskManagers: 1, slotsPerTaskManager: 16}
                  flinkConfiguration:
                    jobmanager.memory.process.size: 1g
                    taskmanager.memory.process.size: 2g
                ---
                apiVersion: tributary.io/v1
                kind: User
                metadata: {name: alice}
                spec: {displayName: Alice, email: alice@example.com}
                ---
                apiVersion: tributary.io/v1
                kind: Team
                metadata: {name: streams}
                spec:
                  members: [{user: alice, role: admin}]
                """);
        writeFile(dir, "teams/streams/counter.yaml", """
                apiVersion: tributary.io/v1
                kind: Application
                metadata: {name: counter, team: streams}
                spec:
                  deployment: {mode: standalone-session, cluster: local}
                  job:
                    type: sql
                    sql: {file: sql/counter.sql}
                  upgradeMode: savepoint
                  checkpoints: {interval: 5s}
                """);
        writeFile(dir, "sql/counter.sql", counterSql(counterComment));
    }

    private void write(String file, String text) throws IOException {
        writeFile(repoDir, file, text);
    }

    private static void writeFile(Path dir, String file, String text) throws IOException {
        Path path = dir.resolve(file);
        Files.createDirectories(path.getParent());
        Files.writeString(path, text);
    }

    private static void commit(Git git, String message) throws Exception {
        git.add().addFilepattern(".").call();
        git.commit().setMessage(message).setAuthor("bench", "bench@example.com").call();
    }

    // ---- Flink's REST API and the service's

    /** Runs the uploaded SQL job jar under a new JobID, as the service does; returns the JobID. */
    private String submit(String name, String sql, Map<String, String> config, String savepoint) throws Exception {
        return submit(jarId, name, sql, config, savepoint);
    }

    private String submit(String jarId, String name, String sql, Map<String, String> config, String savepoint)
            throws Exception {
        String id = JobId.random().hex();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("programArgsList", List.of("--script-base64",
                Base64.getEncoder().encodeToString(sql.getBytes(StandardCharsets.UTF_8)), "--name", name));
        body.put("parallelism", 1);
        body.put("jobId", id);
        if (savepoint != null) {
            body.put("savepointPath", savepoint);
        }
        body.put("flinkConfiguration", config);
        check(send(HttpRequest.newBuilder(flink.resolve("/jars/" + jarId + "/run"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build()), "run " + name);
        return id;
    }

    /** The JobID of a RUNNING job of that name, from {@code /jobs/overview}. */
    private Optional<String> running(String name) {
        for (JsonNode job : api(flink, "/jobs/overview").path("jobs")) {
            if (name.equals(job.path("name").asString()) && "RUNNING".equals(job.path("state").asString())) {
                return Optional.of(job.path("jid").asString());
            }
        }
        return Optional.empty();
    }

    /** The job's start-time as Flink records it (epoch ms, this machine's clock). */
    private long startTime(String id) {
        for (JsonNode job : api(flink, "/jobs/overview").path("jobs")) {
            if (id.equals(job.path("jid").asString())) {
                return job.path("start-time").asLong();
            }
        }
        return -1;
    }

    /**
     * When Flink says the job became RUNNING (epoch ms, this machine's clock): both sides are timed to
     * it, not to the poll that saw it, so the poll's period adds nothing.
     */
    private long runningAt(String id) {
        return api(flink, "/jobs/" + id).path("timestamps").path("RUNNING").asLong();
    }

    private Optional<String> state(String id) {
        for (JsonNode job : api(flink, "/jobs/overview").path("jobs")) {
            if (id.equals(job.path("jid").asString())) {
                return Optional.of(job.path("state").asString());
            }
        }
        return Optional.empty();
    }

    private URI awaitFlinkUrl() {
        URI[] url = new URI[1];
        await("the service knows the cluster's address", () -> {
            JsonNode webUi = api("/api/v1/applications/" + TEAM + "/counter").path("application").path("flinkWebUi");
            if (!webUi.isString()) {
                return false;
            }
            URI ui = URI.create(webUi.asString());
            url[0] = URI.create(ui.getScheme() + "://" + ui.getAuthority());
            return true;
        });
        return url[0];
    }

    private void triggerSync() {
        check(send(asAdmin(HttpRequest.newBuilder(api.resolve("/api/v1/sync"))).POST(HttpRequest.BodyPublishers.noBody())
                .build()), "POST /api/v1/sync");
    }

    /** Requests to the service carry the admin's API token, made once (a login costs a bcrypt check). */
    private HttpRequest.Builder asAdmin(HttpRequest.Builder request) {
        if (apiToken == null) {
            apiToken = AdminToken.create(http, api, ADMIN_PASSWORD, "bench");
        }
        return request.header("Authorization", "Bearer " + apiToken);
    }

    private JsonNode api(String path) {
        return api(api, path);
    }

    private JsonNode api(URI base, String path) {
        HttpResponse<String> response = get(base.resolve(path));
        if (response.statusCode() != 200) {
            return JSON.createObjectNode();
        }
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> get(URI uri) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET();
        return send(uri.toString().startsWith(api.toString()) ? asAdmin(request).build() : request.build());
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String upload(Path jar) throws Exception {
        String boundary = "bench-" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\"" + jar.getFileName()
                + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.write(Files.readAllBytes(jar));
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> upload = send(HttpRequest.newBuilder(flink.resolve("/jars/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build());
        check(upload, "upload");
        Matcher m = Pattern.compile("\"filename\"\\s*:\\s*\"([^\"]+)\"").matcher(upload.body());
        if (!m.find()) {
            throw new IllegalStateException("upload answered without a filename: " + upload.body());
        }
        return m.group(1).substring(m.group(1).lastIndexOf('/') + 1);
    }

    private static void check(HttpResponse<String> response, String what) {
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(what + " answered HTTP " + response.statusCode() + ": " + response.body());
        }
    }

    // ---- plumbing

    private void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting until " + what);
            }
            sleep(Duration.ofMillis(50));
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<Double> ratios(List<Double> ours, List<Double> bare) {
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < ours.size(); i++) {
            out.add(ours.get(i) / bare.get(i));
        }
        return out;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String loadavg() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "(unknown: " + e.getMessage() + ")";
        }
    }
}
