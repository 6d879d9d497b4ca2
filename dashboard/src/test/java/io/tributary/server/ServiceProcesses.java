package io.tributary.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The {@code serve} processes of one test class ({@code @RegisterExtension static}): when a test fails,
 * the tail of each one's log is printed; after the class, whatever still runs is ended: the services,
 * then the Flink cluster and PostgreSQL processes they left in their data directories (a killed
 * service leaves both running on purpose, for the next one to adopt).
 */
final class ServiceProcesses implements TestWatcher, AfterAllCallback {
    private static final int TAIL_LINES = 60;

    private final List<ServiceProcess> started = new CopyOnWriteArrayList<>();
    private final Set<Path> dataDirs = new CopyOnWriteArraySet<>();

    /** Starts {@code tributary serve <serveArgs>} (see {@link ServiceProcess#start}) and keeps it for clean-up. */
    ServiceProcess start(String name, Path log, Map<String, String> env, List<String> serveArgs) {
        int dataDir = serveArgs.indexOf("--data-dir");
        if (dataDir >= 0) {
            dataDirs.add(Path.of(serveArgs.get(dataDir + 1)).toAbsolutePath().normalize());
        }
        ServiceProcess process = ServiceProcess.start(name, log, env, serveArgs);
        started.add(process);
        return process;
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        for (ServiceProcess p : started) {
            System.err.printf("%n---- %s: %s, last %d lines ----%n%s%n", context.getDisplayName(), p, TAIL_LINES,
                    p.tail(TAIL_LINES));
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stopAll();
        for (Path dir : dataDirs) {
            int left = stopProcesses("-Dtributary.cluster=" + dir.resolve("clusters"))
                    + stopProcesses(dir.resolve("postgres").toString());
            if (left > 0) {
                System.err.printf("%d process(es) the services left in %s were stopped%n", left, dir);
            }
        }
    }

    /** Stops the services that still run (SIGTERM, then SIGKILL after a minute). */
    void stopAll() {
        started.forEach(p -> p.ensureStopped(Duration.ofSeconds(60)));
    }

    /** The live processes whose command line contains {@code marker}, this JVM aside. */
    static List<ProcessHandle> processesWith(String marker) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.pid() != ProcessHandle.current().pid())
                .filter(p -> commandLine(p).map(c -> c.contains(marker)).orElse(false))
                .toList();
    }

    /** Stops (SIGTERM, then SIGKILL after 20 s) every process whose command line contains {@code marker}. */
    static int stopProcesses(String marker) {
        List<ProcessHandle> matching = processesWith(marker);
        matching.forEach(ProcessHandle::destroy);
        for (ProcessHandle p : matching) {
            try {
                p.onExit().get(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        }
        return matching.size();
    }

    private static Optional<String> commandLine(ProcessHandle p) {
        ProcessHandle.Info info = p.info();
        return info.commandLine().or(() -> info.arguments().map(a -> String.join(" ", a)));
    }
}
