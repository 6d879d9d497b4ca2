package io.tributary.bench;

import io.tributary.server.Service;
import io.tributary.server.ServiceConfig;
import io.tributary.source.Credentials;
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
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * REST reads with 1,000 applications against the target of over 5,000 requests/s with p99 under
 * 20 ms. Starts the service in this JVM on a generated repository whose apps point at an external
 * cluster that does not answer (no Flink runs; every app is observed and recorded on each pass),
 * creates an API token as the bootstrap admin, then drives {@code GET /api/v1/applications} (one page
 * of 50) and {@code GET /api/v1/applications/{team}/{name}} with {@code wrk} (or, without wrk, a Java
 * load generator) on this machine, and prints requests/s and latency percentiles.
 *
 * <p>Run: {@code bench/run.sh rest [apps] [seconds] [connections]} (defaults 1000, 20, 32)
 */
public final class RestBenchmark {
    private static final String ADMIN_PASSWORD = "rest-benchmark-admin-password";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final double TARGET_RPS = 5000;
    private static final double TARGET_P99_MS = 20;

    record Result(String name, double requestsPerSecond, double p50Ms, double p99Ms, long errors, double cpuMicros) {
        Result withCpu(double micros) {
            return new Result(name, requestsPerSecond, p50Ms, p99Ms, errors, micros);
        }
    }

    public static void main(String[] args) throws Exception {
        int apps = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int connections = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        Path temp = Files.createTempDirectory("tributary-bench-rest");
        Service service = null;
        try {
            Path repo = temp.resolve("repo");
            RepoGenerator.write(repo, apps, """
                      mode: standalone
                      standalone: {address: "http://127.0.0.1:9"}
                    """);
            service = Service.start(new ServiceConfig(repo.toString(), null, null, new Credentials.None(),
                    temp.resolve("data"), null, null, null, 0, Duration.ofSeconds(30), 2,
                    Path.of(System.getProperty("user.home"), ".m2", "repository"), ADMIN_PASSWORD));
            URI base = URI.create("http://127.0.0.1:" + service.port());
            HttpClient http = HttpClient.newHttpClient();
            String token = AdminToken.create(http, base, ADMIN_PASSWORD, "rest-benchmark");
            awaitAllListed(http, base, token, apps);
            String list = base + "/api/v1/applications?limit=50";
            String detail = base + "/api/v1/applications/team-0/app-0";
            check(http, list, token);
            check(http, detail, token);
            boolean wrk = wrkAvailable();
            System.out.printf("apps=%d seconds=%d connections=%d load generator=%s cores=%d load average: %s%n", apps,
                    seconds, connections, wrk ? "wrk" : "java", Runtime.getRuntime().availableProcessors(),
                    Files.readString(Path.of("/proc/loadavg")).trim());
            List<Result> results = new ArrayList<>();
            for (String[] scenario : new String[][] {{"GET list (page of 50)", list}, {"GET detail", detail}}) {
                // warm-up: JIT and the read snapshot
                run(wrk, scenario[0], scenario[1], token, Math.min(5, seconds), connections);
                long cpuBefore = processCpuNanos();
                Result r = run(wrk, scenario[0], scenario[1], token, seconds, connections);
                double requests = r.requestsPerSecond() * seconds;
                results.add(r.withCpu((processCpuNanos() - cpuBefore) / 1000.0 / Math.max(1, requests)));
            }
            System.out.printf("%-24s %10s %9s %9s %7s %14s %s%n", "request", "req/s", "p50 ms", "p99 ms", "errors",
                    "service CPU/req", "target");
            for (Result r : results) {
                boolean met = r.requestsPerSecond() > TARGET_RPS && r.p99Ms() < TARGET_P99_MS && r.errors() == 0;
                System.out.printf("%-24s %10.0f %9.2f %9.2f %7d %11.0f us %s%n", r.name(), r.requestsPerSecond(),
                        r.p50Ms(), r.p99Ms(), r.errors(), r.cpuMicros(), met ? "met" : "NOT met");
            }
            System.out.println("load average at the end: " + Files.readString(Path.of("/proc/loadavg")).trim()
                    + " (the harness and wrk share the machine's cores with whatever else runs)");
            System.out.println("service CPU/req: CPU time of this JVM (service, reconcile loop included) per answered"
                    + " request; 2 free cores give at most 2,000,000 / that many requests/s");
            System.out.printf("target: > %.0f req/s and p99 < %.0f ms with %d apps, load generator on the same machine%n",
                    TARGET_RPS, TARGET_P99_MS, apps);
        } finally {
            if (service != null) {
                service.close();
            }
            LoadBenchmark.deleteTree(temp);
        }
    }

    private static Result run(boolean wrk, String name, String url, String token, int seconds, int connections)
            throws Exception {
        return wrk ? wrk(name, url, token, seconds, connections) : java(name, url, token, seconds, connections);
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    // ---- wrk

    private static boolean wrkAvailable() throws InterruptedException {
        try {
            return new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start().waitFor() >= 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static Result wrk(String name, String url, String token, int seconds, int connections) throws Exception {
        Process p = new ProcessBuilder("wrk", "-t2", "-c" + connections, "-d" + seconds + "s", "--latency",
                "-H", "Authorization: Bearer " + token, url).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("wrk failed: " + out);
        }
        double rps = Double.parseDouble(find(out, "Requests/sec:\\s+([0-9.]+)"));
        long errors = 0;
        Matcher non2xx = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)").matcher(out);
        if (non2xx.find()) {
            errors += Long.parseLong(non2xx.group(1));
        }
        Matcher socket = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)")
                .matcher(out);
        if (socket.find()) {
            for (int g = 1; g <= 4; g++) {
                errors += Long.parseLong(socket.group(g));
            }
        }
        return new Result(name, rps, millis(find(out, "\\s50%\\s+(\\S+)")), millis(find(out, "\\s99%\\s+(\\S+)")),
                errors, 0);
    }

    private static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("no " + regex + " in wrk's output:\n" + text);
        }
        return m.group(1);
    }

    /** wrk's durations: 812.00us, 1.23ms, 2.01s. */
    private static double millis(String text) {
        Matcher m = Pattern.compile("([0-9.]+)(us|ms|s|m)").matcher(text);
        if (!m.matches()) {
            throw new IllegalStateException("not a wrk duration: " + text);
        }
        double value = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> value / 1000;
            case "ms" -> value;
            case "s" -> value * 1000;
            default -> value * 60_000;
        };
    }

    // ---- without wrk: closed-loop Java clients, one request in flight per connection

    private static Result java(String name, String url, String token, int seconds, int connections) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        List<Future<long[]>> workers = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            workers.add(pool.submit(() -> {
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                        .header("Authorization", "Bearer " + token).build();
                long[] latencies = new long[1 << 16];
                int n = 0;
                long errors = 0;
                while (System.nanoTime() < end) {
                    long start = System.nanoTime();
                    HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                    long took = System.nanoTime() - start;
                    if (response.statusCode() != 200) {
                        errors++;
                    }
                    if (n == latencies.length) {
                        latencies = Arrays.copyOf(latencies, n * 2);
                    }
                    latencies[n++] = took;
                }
                long[] result = Arrays.copyOf(latencies, n + 1);
                result[n] = errors;
                return result;
            }));
        }
        List<Long> all = new ArrayList<>();
        long errors = 0;
        for (Future<long[]> w : workers) {
            long[] r = w.get();
            for (int i = 0; i < r.length - 1; i++) {
                all.add(r[i]);
            }
            errors += r[r.length - 1];
        }
        pool.shutdown();
        long[] sorted = all.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Result(name, sorted.length / (double) seconds, sorted[sorted.length / 2] / 1e6,
                sorted[(int) (sorted.length * 0.99)] / 1e6, errors, 0);
    }

    // ---- set-up

    private static void awaitAllListed(HttpClient http, URI base, String token, int apps) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            int withStatus = 0;
            int total = -1;
            for (int offset = 0; total < 0 || offset < total; offset += 500) {
                JsonNode page = JSON.readTree(get(http, base + "/api/v1/applications?limit=500&offset=" + offset, token));
                total = page.path("total").asInt();
                for (JsonNode app : page.path("items")) {
                    withStatus += app.path("status").isObject() ? 1 : 0;
                }
                if (page.path("items").isEmpty()) {
                    break;
                }
            }
            if (total == apps && withStatus == apps) {
                return;
            }
            Thread.sleep(1000);
        }
        throw new IllegalStateException("the service did not record a status of all " + apps + " apps in 5 minutes");
    }

    private static void check(HttpClient http, String url, String token) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(url + ": HTTP " + response.statusCode() + " " + response.body());
        }
    }

    private static String get(HttpClient http, String url, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
