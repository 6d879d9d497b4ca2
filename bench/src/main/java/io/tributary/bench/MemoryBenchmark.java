package io.tributary.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The service's resident memory with 1,000 applications (Flink processes excluded), against the
 * target of 512 MB. Runs {@code tributary serve} as a child process on a generated repository whose
 * apps point at an external cluster that does not answer, so no Flink process runs and every app
 * is observed, planned and recorded on each pass; reads the API's list of all apps 200 times; then
 * reads the child's VmRSS.
 *
 * <p>Run: {@code bench/run.sh memory [apps...]} (builds {@code dashboard/target/tributary.jar} first)
 */
public final class MemoryBenchmark {
    private static final double TARGET_MB = 512;
    private static final String ADMIN_PASSWORD = "memory-benchmark-admin-password";
    /** The service's JVM options: TRIBUTARY_JAVA_OPTS as bin/tributary takes it, else none. */
    private static final List<String> JVM_OPTIONS = System.getenv().getOrDefault("TRIBUTARY_JAVA_OPTS", "").isBlank()
            ? List.of() : List.of(System.getenv("TRIBUTARY_JAVA_OPTS").trim().split("\\s+"));

    public static void main(String[] args) throws Exception {
        int[] sizes = args.length > 0 ? Stream.of(args).mapToInt(Integer::parseInt).toArray() : new int[] {1000};
        Path jar = Path.of("dashboard/target/tributary.jar").toAbsolutePath();
        System.out.println("service JVM options: " + (JVM_OPTIONS.isEmpty() ? "(none)" : String.join(" ", JVM_OPTIONS)));
        System.out.printf("%8s %12s %8s%n", "apps", "RSS MB", "ratio");
        for (int apps : sizes) {
            Path dir = Files.createTempDirectory("tributary-memory-bench-" + apps);
            Process service = null;
            try {
                Path repo = dir.resolve("repo");
                RepoGenerator.write(repo, apps, """
                          mode: standalone
                          standalone: {address: "http://127.0.0.1:9"}
                        """);
                int port = freePort();
                List<String> command = new ArrayList<>(List.of(javaBin()));
                command.addAll(JVM_OPTIONS);
                command.addAll(List.of("-jar", jar.toString(), "serve", "--repo", repo.toString(), "--data-dir",
                        dir.resolve("data").toString(), "--port", String.valueOf(port), "--poll-interval", "5s"));
                ProcessBuilder builder = new ProcessBuilder(command);
                builder.environment().put("TRIBUTARY_ADMIN_PASSWORD", ADMIN_PASSWORD);
                service = builder.redirectErrorStream(true).redirectOutput(dir.resolve("service.log").toFile()).start();
                HttpClient http = HttpClient.newHttpClient();
                Reader reader = new Reader(http, port);
                try {
                    awaitAllListed(reader, apps, service);
                } catch (IllegalStateException e) {
                    List<String> log = Files.readAllLines(dir.resolve("service.log"));
                    System.err.println(String.join("\n", log.subList(Math.max(0, log.size() - 40), log.size())));
                    throw e;
                }
                // let a few passes run: each observes, plans and records every app
                Thread.sleep(Duration.ofSeconds(30).toMillis());
                for (int i = 0; i < 200; i++) {
                    reader.get("/api/v1/applications");
                }
                long rssKb = rssKb(service.pid());
                double mb = rssKb / 1024.0;
                System.out.printf("%8d %12.0f %7.2fx%n", apps, mb, mb / TARGET_MB);
            } finally {
                if (service != null) {
                    service.destroy();
                    service.waitFor();
                }
                LoadBenchmark.deleteTree(dir);
            }
        }
        System.out.println("ratio = resident set of the service JVM / target of 512 MB (below 1.00x meets the target)");
    }

    private static void awaitAllListed(Reader reader, int apps, Process service) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            if (!service.isAlive()) {
                throw new IllegalStateException("the service exited with " + service.exitValue());
            }
            try {
                String body = reader.get("/api/v1/applications");
                if (body.contains("\"total\":" + apps) && !body.contains("\"status\":null")) {
                    return;
                }
            } catch (IOException | UncheckedIOException notYet) {
                // still starting
            }
            Thread.sleep(1000);
        }
        throw new IllegalStateException("the service did not list " + apps + " apps with a status within 5 minutes");
    }

    /** Reads the API with the admin's token, made once the service answers. */
    private static final class Reader {
        private final HttpClient http;
        private final URI base;
        private String token;

        Reader(HttpClient http, int port) {
            this.http = http;
            this.base = URI.create("http://localhost:" + port);
        }

        String get(String path) throws Exception {
            if (token == null) {
                token = AdminToken.create(http, base, ADMIN_PASSWORD, "memory-benchmark");
            }
            return http.send(HttpRequest.newBuilder(base.resolve(path)).header("Authorization", "Bearer " + token)
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
        }
    }

    private static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS for pid " + pid);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
