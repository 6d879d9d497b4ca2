package io.tributary.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code tributary serve} as a child JVM, as an operator runs it: the test JVM's class path, flags on
 * the command line, the environment given, stdout and stderr in a log file. It can be killed like
 * {@code kill -9} ({@link #kill}) or stopped like {@code kill} ({@link #stop}).
 */
final class ServiceProcess {
    private final String name;
    private final Process process;
    private final Path log;
    private final int port;
    private final ServiceApi api;

    private ServiceProcess(String name, Process process, Path log, int port) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.port = port;
        this.api = new ServiceApi(port);
    }

    /**
     * Starts {@code tributary serve <serveArgs> --port <a free port>}; {@code env} is added to this
     * JVM's environment, whose own {@code TRIBUTARY_*} variables are left out.
     */
    static ServiceProcess start(String name, Path log, Map<String, String> env, List<String> serveArgs) {
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx768m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"),
                "io.tributary.Tributary", "serve"));
        command.addAll(serveArgs);
        command.addAll(List.of("--port", String.valueOf(port)));
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, String.join(" ", command.subList(command.indexOf("io.tributary.Tributary"),
                    command.size())) + " env=" + env + "\n");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(log.getParent().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().keySet().removeIf(k -> k.startsWith("TRIBUTARY_"));
            builder.environment().put("TRIBUTARY_ADMIN_PASSWORD", ServiceApi.ADMIN_PASSWORD);
            builder.environment().putAll(env);
            Process process = builder.start();
            process.getOutputStream().close();
            return new ServiceProcess(name, process, log, port);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String name() {
        return name;
    }

    int port() {
        return port;
    }

    ServiceApi api() {
        return api;
    }

    Path log() {
        return log;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits until the HTTP API answers; fails at once if the process exits first. */
    ServiceProcess awaitUp(Duration timeout) {
        Await.until(name + " answers on port " + port, timeout, () -> {
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited with " + process.exitValue() + " before its API answered");
            }
            return api.answers();
        });
        return this;
    }

    /** SIGKILL, as {@code kill -9}: nothing of the service runs after it, not even shutdown hooks. */
    int kill() {
        process.destroyForcibly();
        return awaitExit(Duration.ofSeconds(30));
    }

    /** SIGTERM, as {@code kill}: the service's shutdown stops its loop, clusters and database. */
    int stop(Duration timeout) {
        process.destroy();
        return awaitExit(timeout);
    }

    /** Waits for the process to end by itself; returns its exit code. */
    int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(name + " still runs after " + timeout);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + name + " to exit", e);
        }
    }

    /** Kills the process if it still runs, without waiting for it. */
    void destroyForcibly() {
        process.destroyForcibly();
    }

    /** Ends the process, gracefully first; for clean-up, never fails. */
    void ensureStopped(Duration grace) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** What the service wrote. */
    String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last {@code lines} lines of what the service wrote. */
    String tail(int lines) {
        List<String> all = output().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ", port " + port + ", log " + log + ")";
    }
}
