package io.tributary.build;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One Maven child process: its output, line by line, to a sink; ended by its own exit, by the time
 * limit, or by {@link #cancel()}. Descendants (the wrapper's JVM, forked compilers) are ended too.
 */
final class MavenRun {
    enum Outcome { SUCCEEDED, FAILED, TIMED_OUT, CANCELED }

    record Result(Outcome outcome, int exitCode) {}

    private final List<String> command;
    private final Path workDir;
    private final Map<String, String> environment;
    private volatile Process process;
    private volatile boolean canceled;

    MavenRun(List<String> command, Path workDir, Map<String, String> environment) {
        this.command = List.copyOf(command);
        this.workDir = workDir;
        this.environment = Map.copyOf(environment);
    }

    Result run(Duration timeout, Consumer<String> lines) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(environment);
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = builder.start();
        process = p;
        if (canceled) {
            stop(p);
        }
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.accept(line);
                }
            } catch (IOException e) {
                // the process ended while being read
            }
        }, "tributary-build-log");
        reader.setDaemon(true);
        reader.start();
        boolean exited = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!exited) {
            stop(p);
        }
        reader.join(10_000);
        if (canceled) {
            return new Result(Outcome.CANCELED, p.exitValue());
        }
        if (!exited) {
            return new Result(Outcome.TIMED_OUT, -1);
        }
        return new Result(p.exitValue() == 0 ? Outcome.SUCCEEDED : Outcome.FAILED, p.exitValue());
    }

    /** Ends the process (and its descendants); {@link #run} then returns {@link Outcome#CANCELED}. */
    void cancel() {
        canceled = true;
        Process p = process;
        if (p != null) {
            stop(p);
        }
    }

    private static void stop(Process p) {
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
