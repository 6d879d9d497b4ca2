package io.tributary.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a killed service leaves in an embedded server's data folder: the PostgreSQL processes it
 * started (they are not its children once started by pg_ctl, so they outlive a {@code kill -9} of the
 * service), and a {@code postmaster.pid} that names a dead process or, after a reboot or a pid
 * wrap-around, another program. Either stops PostgreSQL from starting on that folder again.
 *
 * <p>A PostgreSQL process of a data folder is known by its working directory, which the postmaster
 * and every backend it forks keep at the data folder. Linux only, as are the server binaries.
 * Callers hold the data folder's lock, so no live service of ours owns what is found here.
 */
final class Leftovers {
    private static final Logger LOG = LoggerFactory.getLogger(Leftovers.class);
    static final String PID_FILE = "postmaster.pid";
    private static final Path PROC = Path.of("/proc");

    private Leftovers() {}

    /**
     * Stops every process running in {@code pgData} (fast shutdown first, as {@code pg_ctl stop -m fast}
     * does, then immediate, then kill) and removes a {@code postmaster.pid} that no process stands behind.
     */
    static void clear(Path pgData, Duration grace) {
        if (!Files.isDirectory(PROC)) {
            return; // not Linux: PostgreSQL's own pid file check is all there is
        }
        Path dir = realPath(pgData);
        List<ProcessHandle> running = processesIn(dir);
        if (!running.isEmpty()) {
            OptionalLong postmaster = postmasterPid(dir);
            ProcessHandle main = running.stream()
                    .filter(p -> postmaster.isPresent() && p.pid() == postmaster.getAsLong())
                    .findFirst()
                    .orElse(running.get(0));
            LOG.warn("postgres left running by an earlier service data={} pid={} processes={}; stopping it",
                    dir, main.pid(), running.size());
            signal(main, "INT");
            if (!awaitExit(dir, grace)) {
                LOG.warn("postgres did not stop on a fast shutdown data={} pid={}; immediate shutdown", dir, main.pid());
                signal(main, "QUIT");
                if (!awaitExit(dir, Duration.ofSeconds(5))) {
                    processesIn(dir).forEach(ProcessHandle::destroyForcibly);
                    if (!awaitExit(dir, Duration.ofSeconds(5))) {
                        throw new IllegalStateException("cannot stop the postgres processes left running in " + dir);
                    }
                }
            }
            LOG.info("postgres left by an earlier service stopped data={}", dir);
        }
        Path pidFile = dir.resolve(PID_FILE);
        if (Files.exists(pidFile)) {
            // No process works in the folder, so the file is stale whatever process its pid names now.
            LOG.info("stale {} removed data={} pid={}", PID_FILE, dir, postmasterPid(dir));
            try {
                Files.deleteIfExists(pidFile);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove " + pidFile, e);
            }
        }
    }

    /** Waits until no process runs in {@code pgData}; false if some still does after {@code timeout}. */
    static boolean awaitExit(Path pgData, Duration timeout) {
        if (!Files.isDirectory(PROC)) {
            return true;
        }
        Path dir = realPath(pgData);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<ProcessHandle> running = processesIn(dir);
            if (running.isEmpty()) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                running.get(0).onExit().get(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (Exception e) {
                // still running, or gone between listing and waiting: look again
            }
        }
    }

    /** Live processes whose working directory is {@code dir}: a postmaster and its backends. */
    static List<ProcessHandle> processesIn(Path dir) {
        long self = ProcessHandle.current().pid();
        try (Stream<Path> proc = Files.list(PROC)) {
            return proc.map(p -> p.getFileName().toString())
                    .filter(name -> !name.isEmpty() && name.chars().allMatch(Character::isDigit))
                    .map(Long::parseLong)
                    .filter(pid -> pid != self && dir.equals(cwd(pid).orElse(null)))
                    .map(ProcessHandle::of)
                    .flatMap(Optional::stream)
                    .filter(ProcessHandle::isAlive)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list processes", e);
        }
    }

    /**
     * Moves aside a data folder that {@code initdb} did not finish (killed during the first start): it
     * has files but no control file, and initdb will not run on a folder that is not empty. The folder
     * held no data yet; it is kept beside as {@code postgres.incomplete-<millis>} for a look.
     */
    static void moveAsideIfIncomplete(Path pgData, long nowMillis) {
        try (Stream<Path> entries = Files.list(pgData)) {
            if (entries.findAny().isEmpty() || Files.exists(pgData.resolve("global").resolve("pg_control"))) {
                return;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + pgData, e);
        }
        Path aside = pgData.resolveSibling(pgData.getFileName() + ".incomplete-" + nowMillis);
        LOG.warn("data folder without a control file (an initdb that did not finish) data={} movedTo={}", pgData, aside);
        try {
            Files.move(pgData, aside);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move " + pgData + " aside", e);
        }
    }

    /** The pid on the first line of the folder's {@code postmaster.pid}, if there is one. */
    static OptionalLong postmasterPid(Path pgData) {
        try {
            List<String> lines = Files.readAllLines(pgData.resolve(PID_FILE), StandardCharsets.US_ASCII);
            String first = lines.isEmpty() ? "" : lines.get(0).strip();
            if (first.isEmpty() || first.length() > 18 || !first.chars().allMatch(Character::isDigit)) {
                return OptionalLong.empty();
            }
            return OptionalLong.of(Long.parseLong(first));
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    private static Optional<Path> cwd(long pid) {
        try {
            return Optional.of(Files.readSymbolicLink(PROC.resolve(Long.toString(pid)).resolve("cwd")));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return Optional.empty(); // gone, or not ours to look at
        }
    }

    private static Path realPath(Path dir) {
        try {
            return dir.toRealPath();
        } catch (IOException e) {
            return dir.toAbsolutePath().normalize();
        }
    }

    /** Sends a signal Java has no call for (SIGINT, SIGQUIT) with kill(1); SIGTERM if that fails. */
    private static void signal(ProcessHandle process, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0) {
                return;
            }
        } catch (IOException e) {
            LOG.debug("kill -{} pid={} failed", signal, process.pid(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroy();
    }
}
