package io.tributary.flink;

import io.tributary.build.Digests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A managed standalone session cluster on this machine: one JobManager and N TaskManagers as child
 * JVMs of a {@link FlinkHome}, with everything (configuration, logs, pid files, checkpoints,
 * savepoints, scratch space) under one cluster folder.
 *
 * <p>The processes outlive this object on purpose: a restarted service finds them through their pid
 * files and adopts them ({@link #startOrAdopt}), so jobs keep running across service restarts. A
 * watchdog restarts a process that dies, within a restart budget.
 */
public final class LocalCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalCluster.class);

    static final String JOB_MANAGER = "jobmanager";
    static final String JOB_MANAGER_MAIN = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    static final String TASK_MANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
    static final String FINGERPRINT = "cluster.fingerprint";
    static final String CLUSTER_PROPERTY = "-Dtributary.cluster";

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * How the cluster is supervised.
     *
     * @param watchdogInterval how often the watchdog looks for dead processes
     * @param clock the time restart budgets are counted in
     * @param stopGrace how long a process may take to shut down after SIGTERM before it is killed
     * @param maxRestarts restarts of one process allowed within {@code restartWindow}
     * @param restartWindow see {@code maxRestarts}
     * @param adoptTimeout how long a live JobManager found by pid file may take to answer REST before it is
     *     replaced (it may still be starting)
     */
    public record Options(Duration watchdogInterval, Clock clock, Duration stopGrace, int maxRestarts,
            Duration restartWindow, Duration adoptTimeout) {
        public static Options defaults() {
            return new Options(Duration.ofSeconds(1), Clock.systemUTC(), Duration.ofSeconds(10), 5,
                    Duration.ofMinutes(5), Duration.ofSeconds(15));
        }

        public Options withWatchdogInterval(Duration interval) {
            return new Options(interval, clock, stopGrace, maxRestarts, restartWindow, adoptTimeout);
        }

        public Options withClock(Clock newClock) {
            return new Options(watchdogInterval, newClock, stopGrace, maxRestarts, restartWindow, adoptTimeout);
        }
    }

    /** What the REST API's {@code /overview} reports. */
    public record Overview(int taskManagers, int slotsTotal, int slotsAvailable, String flinkVersion) {}

    /** One supervised process: the JobManager or a TaskManager. */
    private static final class Member {
        final String name;
        final ResourceParams.Role role;
        final Path pidFile;
        final RestartBudget budget;
        volatile ProcessHandle handle;
        /** Set when we started the process (not when adopted): it gives the exit code. */
        volatile Process process;
        volatile boolean givenUp;

        Member(String name, ResourceParams.Role role, Path pidFile, RestartBudget budget) {
            this.name = name;
            this.role = role;
            this.pidFile = pidFile;
            this.budget = budget;
        }
    }

    private final FlinkHome home;
    private final int taskManagers;
    private final int slotsPerTaskManager;
    private final Map<String, String> flinkConfiguration;
    private final Path clusterDir;
    private final Path confDir;
    private final Path logDir;
    private final Options options;
    private final Path java;
    private final List<Member> members = new ArrayList<>();
    private final Map<ResourceParams.Role, ResourceParams> resourceParams = new EnumMap<>(ResourceParams.Role.class);
    private final AtomicInteger restarts = new AtomicInteger();
    private final ScheduledExecutorService watchdog;
    private volatile boolean stopping;
    private volatile URI restUrl;
    private volatile Map<String, Object> config;
    private boolean adopted;

    private LocalCluster(FlinkHome home, int taskManagers, int slotsPerTaskManager, Map<String, String> flinkConfiguration,
            Path clusterDir, Options options) {
        if (taskManagers < 1 || slotsPerTaskManager < 1) {
            throw new IllegalArgumentException("a local cluster needs at least one TaskManager with one slot");
        }
        this.home = home;
        this.taskManagers = taskManagers;
        this.slotsPerTaskManager = slotsPerTaskManager;
        this.flinkConfiguration = Map.copyOf(flinkConfiguration);
        this.clusterDir = clusterDir.toAbsolutePath().normalize();
        this.confDir = this.clusterDir.resolve("conf");
        this.logDir = this.clusterDir.resolve("log");
        this.options = options;
        this.java = Path.of(System.getProperty("java.home"), "bin", "java");
        members.add(member(JOB_MANAGER, ResourceParams.Role.JOB_MANAGER));
        for (int i = 0; i < taskManagers; i++) {
            members.add(member("taskmanager-" + i, ResourceParams.Role.TASK_MANAGER));
        }
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "local-cluster-watchdog-" + this.clusterDir.getFileName());
            t.setDaemon(true);
            return t;
        });
    }

    private Member member(String name, ResourceParams.Role role) {
        return new Member(name, role, clusterDir.resolve(name + ".pid"),
                new RestartBudget(options.maxRestarts(), options.restartWindow(), options.clock()));
    }

    /** Starts a new cluster in {@code clusterDir}, stopping processes a previous one left there. */
    public static LocalCluster start(FlinkHome home, int taskManagers, int slotsPerTaskManager,
            Map<String, String> flinkConfiguration, Path clusterDir) {
        return start(home, taskManagers, slotsPerTaskManager, flinkConfiguration, clusterDir, Options.defaults());
    }

    public static LocalCluster start(FlinkHome home, int taskManagers, int slotsPerTaskManager,
            Map<String, String> flinkConfiguration, Path clusterDir, Options options) {
        LocalCluster cluster = new LocalCluster(home, taskManagers, slotsPerTaskManager, flinkConfiguration, clusterDir, options);
        cluster.launch(false);
        return cluster;
    }

    /**
     * Adopts the cluster already running in {@code clusterDir} (same home, size and configuration, its
     * JobManager alive and answering REST), starting only the TaskManagers it lacks; otherwise starts a
     * new one as {@link #start} does.
     */
    public static LocalCluster startOrAdopt(FlinkHome home, int taskManagers, int slotsPerTaskManager,
            Map<String, String> flinkConfiguration, Path clusterDir) {
        return startOrAdopt(home, taskManagers, slotsPerTaskManager, flinkConfiguration, clusterDir, Options.defaults());
    }

    public static LocalCluster startOrAdopt(FlinkHome home, int taskManagers, int slotsPerTaskManager,
            Map<String, String> flinkConfiguration, Path clusterDir, Options options) {
        LocalCluster cluster = new LocalCluster(home, taskManagers, slotsPerTaskManager, flinkConfiguration, clusterDir, options);
        cluster.launch(true);
        return cluster;
    }

    private synchronized void launch(boolean mayAdopt) {
        try {
            Files.createDirectories(logDir);
            String fingerprint = fingerprint();
            Path fingerprintFile = clusterDir.resolve(FINGERPRINT);
            boolean earlier = Files.isRegularFile(fingerprintFile) && Files.isRegularFile(confDir.resolve(FlinkConfigFiles.CONFIG_YAML));
            boolean sameSpec = earlier && Files.readString(fingerprintFile).strip().equals(fingerprint);
            if (mayAdopt && sameSpec && adopt()) {
                startWatchdog();
                return;
            }
            if (mayAdopt && earlier && !sameSpec) {
                LOG.info("cluster={} not adopted reason=\"home, size or configuration changed\"", clusterDir);
            }
            stopLeftovers();
            writeConfiguration();
            FlinkConfigFiles.writeAtomically(fingerprintFile, fingerprint + "\n");
            LOG.info("cluster={} flink.version={} taskManagers={} slots={} rest={} starting", clusterDir,
                    home.version(), taskManagers, slotsPerTaskManager, restUrl);
            computeResourceParams();
            for (Member m : members) {
                startProcess(m);
            }
            startWatchdog();
        } catch (IOException e) {
            throw new LocalClusterException("cannot start the local cluster in " + clusterDir, e);
        } catch (RuntimeException e) {
            stopQuietly();
            throw e;
        }
    }

    /** True when the JobManager was found alive and answering; missing TaskManagers are then started. */
    private boolean adopt() {
        config = FlinkConfigFiles.read(confDir);
        restUrl = restUrlOf(config);
        Member jobManager = members.get(0);
        Optional<ProcessHandle> live = PidFile.liveProcess(jobManager.pidFile, processMarker());
        if (live.isEmpty()) {
            LOG.info("cluster={} not adopted reason=\"no live JobManager\"", clusterDir);
            return false;
        }
        if (awaitOverview(options.adoptTimeout()).isEmpty()) {
            LOG.info("cluster={} pid={} not adopted reason=\"JobManager does not answer {}\"", clusterDir,
                    live.get().pid(), restUrl);
            return false;
        }
        for (Member m : members) {
            Optional<ProcessHandle> process = m == jobManager ? live : PidFile.liveProcess(m.pidFile, processMarker());
            if (process.isPresent()) {
                m.handle = process.get();
                LOG.info("cluster={} member={} pid={} adopted", clusterDir, m.name, m.handle.pid());
            } else {
                startProcess(m);
            }
        }
        stopStrays();
        adopted = true;
        return true;
    }

    /** What the command line of each of our processes holds, and a stranger's (that reused a pid) does not. */
    private String processMarker() {
        return processMarker(clusterDir);
    }

    private static String processMarker(Path clusterDir) {
        return CLUSTER_PROPERTY + "=" + clusterDir + " ";
    }

    /** Processes of an earlier cluster in this folder, found by their pid files. */
    private void stopLeftovers() throws IOException {
        stopLeftovers(clusterDir, options.stopGrace());
    }

    /**
     * Stops whatever cluster processes run from {@code clusterDir} (an abandoned cluster: one a
     * previous service started and the config no longer declares). Returns how many were running.
     */
    public static int stopLeftovers(Path clusterDir, Duration grace) {
        if (!Files.isDirectory(clusterDir)) {
            return 0;
        }
        String marker = processMarker(clusterDir);
        List<ProcessHandle> leftovers = new ArrayList<>();
        for (Path pidFile : pidFiles(clusterDir)) {
            PidFile.liveProcess(pidFile, marker).ifPresent(p -> {
                LOG.info("cluster={} pid={} file={} stopping leftover", clusterDir, p.pid(), pidFile.getFileName());
                leftovers.add(p);
            });
            PidFile.delete(pidFile);
        }
        terminate(leftovers, grace);
        return leftovers.size();
    }

    /** TaskManagers beyond the wanted count (the cluster was larger before), when adopting. */
    private void stopStrays() {
        List<Path> ours = members.stream().map(m -> m.pidFile).toList();
        List<ProcessHandle> strays = new ArrayList<>();
        for (Path pidFile : pidFiles()) {
            if (!ours.contains(pidFile)) {
                PidFile.liveProcess(pidFile, processMarker()).ifPresent(strays::add);
                PidFile.delete(pidFile);
            }
        }
        terminate(strays);
    }

    private List<Path> pidFiles() {
        return pidFiles(clusterDir);
    }

    private static List<Path> pidFiles(Path clusterDir) {
        try (Stream<Path> files = Files.list(clusterDir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".pid")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + clusterDir, e);
        }
    }

    private void writeConfiguration() throws IOException {
        FlinkDistributions.deleteTree(confDir);
        Files.createDirectories(confDir);
        if (Files.isDirectory(home.confDir())) {
            // log4j, logback and any other files of the home; the configuration itself is rewritten below
            try (Stream<Path> files = Files.list(home.confDir())) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    String name = f.getFileName().toString();
                    if (!name.equals(FlinkConfigFiles.CONFIG_YAML) && !name.equals(FlinkConfigFiles.LEGACY_CONFIG)) {
                        Files.copy(f, confDir.resolve(name));
                    }
                }
            }
        }
        FlinkConfigFiles.writeLoggingDefaults(confDir);
        for (String dir : List.of("tmp", "checkpoints", "savepoints")) {
            Files.createDirectories(clusterDir.resolve(dir));
        }
        config = LocalClusterConfig.build(FlinkConfigFiles.read(home.confDir()), freePorts(), slotsPerTaskManager,
                clusterDir, flinkConfiguration);
        FlinkConfigFiles.write(confDir, config, "Written by Tributary for the local cluster in " + clusterDir
                + ".\nRewritten on every fresh start: change the Cluster's flinkConfiguration instead.");
        restUrl = restUrlOf(config);
    }

    private static URI restUrlOf(Map<String, Object> config) {
        return URI.create("http://" + LocalClusterConfig.LOOPBACK + ":" + LocalClusterConfig.text(config, "rest.port"));
    }

    /** Three distinct free ports, held open together so no two are the same. */
    private static LocalClusterConfig.Ports freePorts() throws IOException {
        InetAddress loopback = InetAddress.getByName(LocalClusterConfig.LOOPBACK);
        try (ServerSocket rest = new ServerSocket(0, 1, loopback);
                ServerSocket rpc = new ServerSocket(0, 1, loopback);
                ServerSocket blob = new ServerSocket(0, 1, loopback)) {
            return new LocalClusterConfig.Ports(rest.getLocalPort(), rpc.getLocalPort(), blob.getLocalPort());
        }
    }

    /** BashJavaUtils takes about a second per role; the two run side by side. */
    private void computeResourceParams() {
        CompletableFuture<ResourceParams> jm = CompletableFuture.supplyAsync(
                () -> ResourceParams.compute(java, home, confDir, ResourceParams.Role.JOB_MANAGER));
        CompletableFuture<ResourceParams> tm = CompletableFuture.supplyAsync(
                () -> ResourceParams.compute(java, home, confDir, ResourceParams.Role.TASK_MANAGER));
        try {
            resourceParams.put(ResourceParams.Role.JOB_MANAGER, jm.get());
            resourceParams.put(ResourceParams.Role.TASK_MANAGER, tm.get());
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new LocalClusterException("BashJavaUtils failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalClusterException("interrupted while computing memory settings", e);
        }
    }

    private ResourceParams resourceParams(ResourceParams.Role role) {
        return resourceParams.computeIfAbsent(role, r -> ResourceParams.compute(java, home, confDir, r));
    }

    private void startProcess(Member m) {
        List<String> command = command(m);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(clusterDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(Redirect.appendTo(logDir.resolve(m.name + ".out").toFile()));
        Map<String, String> env = builder.environment();
        env.put("FLINK_HOME", home.home().toString());
        env.put("FLINK_CONF_DIR", confDir.toString());
        env.put("FLINK_LIB_DIR", home.home().resolve("lib").toString());
        if (Files.isDirectory(home.home().resolve("plugins"))) {
            env.put("FLINK_PLUGINS_DIR", home.home().resolve("plugins").toString());
        }
        env.put("FLINK_LOG_DIR", logDir.toString());
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            m.process = process;
            m.handle = process.toHandle();
            PidFile.write(m.pidFile, process.pid());
            LOG.info("cluster={} member={} pid={} started", clusterDir, m.name, process.pid());
        } catch (IOException e) {
            throw new LocalClusterException("cannot start " + m.name + " of the local cluster in " + clusterDir, e);
        }
    }

    /** As Flink's start scripts build it: memory options, env.java.opts, log settings, class path, main, arguments. */
    private List<String> command(Member m) {
        ResourceParams params = resourceParams(m.role);
        boolean jobManager = m.role == ResourceParams.Role.JOB_MANAGER;
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        // first, so the check that a pid is still ours finds it even in a truncated command line
        command.add(CLUSTER_PROPERTY + "=" + clusterDir);
        command.addAll(params.jvmArgs());
        for (String key : List.of("env.java.opts", "env.java.opts.all",
                jobManager ? "env.java.opts.jobmanager" : "env.java.opts.taskmanager")) {
            String opts = LocalClusterConfig.text(config, key);
            if (opts != null && !opts.isBlank()) {
                command.addAll(Arrays.asList(opts.strip().split("\\s+")));
            }
        }
        command.add("-Dlog.file=" + logDir.resolve(m.name + ".log"));
        command.add("-Dlog4j.configuration=file:" + confDir.resolve(FlinkConfigFiles.LOG4J_FILE));
        command.add("-Dlog4j.configurationFile=file:" + confDir.resolve(FlinkConfigFiles.LOG4J_FILE));
        command.add("-Dlogback.configurationFile=file:" + confDir.resolve("logback.xml"));
        command.add("-classpath");
        command.add(home.classPath());
        command.add(jobManager ? JOB_MANAGER_MAIN : TASK_MANAGER_MAIN);
        command.add("--configDir");
        command.add(confDir.toString());
        if (jobManager) {
            command.add("--executionMode");
            command.add("cluster");
        }
        command.addAll(params.dynamicArgs());
        if (!jobManager) {
            // a fixed id per slot of the cluster: a restarted TaskManager replaces its old registration at
            // once instead of counting twice until the JobManager's heartbeat timeout
            command.add("-D");
            command.add("taskmanager.resource-id=" + m.name);
        }
        return command;
    }

    private void startWatchdog() {
        long millis = options.watchdogInterval().toMillis();
        watchdog.scheduleWithFixedDelay(this::check, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** One watchdog round: restart what died, within each process's restart budget. */
    private void check() {
        try {
            synchronized (this) {
                if (stopping) {
                    return;
                }
                for (Member m : members) {
                    if (m.givenUp || m.handle == null || m.handle.isAlive()) {
                        continue;
                    }
                    Process process = m.process;
                    String exitCode = process != null && process.toHandle().equals(m.handle)
                            ? String.valueOf(process.exitValue()) : "unknown";
                    LOG.warn("cluster={} member={} pid={} exitCode={} died", clusterDir, m.name, m.handle.pid(), exitCode);
                    if (!m.budget.tryAcquire()) {
                        m.givenUp = true;
                        LOG.error("cluster={} member={} maxRestarts={} window={} keeps dying, left down; see {}",
                                clusterDir, m.name, options.maxRestarts(), options.restartWindow(),
                                logDir.resolve(m.name + ".out"));
                        continue;
                    }
                    startProcess(m);
                    LOG.info("cluster={} member={} pid={} restarts={} restarted", clusterDir, m.name, m.handle.pid(),
                            restarts.incrementAndGet());
                }
            }
        } catch (RuntimeException e) {
            // a failed round must not end the schedule: the next round tries again
            LOG.error("cluster={} watchdog round failed", clusterDir, e);
        }
    }

    /**
     * Waits until the REST API answers and reports every TaskManager registered.
     *
     * @return the overview that showed the cluster ready
     * @throws LocalClusterException on timeout, or when a process keeps dying
     */
    public Overview awaitReady(Duration timeout) {
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        Optional<Overview> last = Optional.empty();
        while (true) {
            last = overview();
            // a TaskManager counts once its slots are reported too, which comes a moment after registration
            if (last.isPresent() && last.get().taskManagers() == taskManagers && last.get().slotsTotal() == expectedSlots()) {
                LOG.info("cluster={} taskManagers={} slots={} millis={} ready", clusterDir, taskManagers,
                        last.get().slotsTotal(), (System.nanoTime() - started) / 1_000_000);
                return last.get();
            }
            for (Member m : members) {
                if (m.givenUp) {
                    throw new LocalClusterException(m.name + " of the local cluster in " + clusterDir
                            + " keeps dying; see " + logDir.resolve(m.name + ".out") + " and " + logDir.resolve(m.name + ".log"));
                }
            }
            if (System.nanoTime() > deadline) {
                throw new LocalClusterException("the local cluster in " + clusterDir + " is not ready after " + timeout
                        + ": " + last.map(o -> "taskmanagers=" + o.taskManagers() + "/" + taskManagers
                                        + " slots=" + o.slotsTotal() + "/" + expectedSlots())
                                .orElse("REST API at " + restUrl + " does not answer")
                        + "; logs in " + logDir);
            }
            sleep(Duration.ofMillis(100));
        }
    }

    /** Slots of all TaskManagers, as configured (a user's taskmanager.numberOfTaskSlots wins over ours). */
    private int expectedSlots() {
        String perTaskManager = LocalClusterConfig.text(config, "taskmanager.numberOfTaskSlots");
        return taskManagers * (perTaskManager == null ? slotsPerTaskManager : Integer.parseInt(perTaskManager.strip()));
    }

    private Optional<Overview> awaitOverview(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<Overview> overview = overview();
            if (overview.isPresent() || System.nanoTime() > deadline) {
                return overview;
            }
            sleep(Duration.ofMillis(200));
        }
    }

    /** The REST API's {@code /overview}, or empty when it does not answer. */
    public Optional<Overview> overview() {
        URI url = restUrl;
        if (url == null) {
            return Optional.empty();
        }
        try {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(url.resolve("/overview")).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (response.statusCode() != 200) {
                return Optional.empty();
            }
            return Optional.of(parseOverview(response.body()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    static Overview parseOverview(String json) {
        JsonNode node = JSON.readTree(json);
        return new Overview(node.path("taskmanagers").asInt(-1), node.path("slots-total").asInt(-1),
                node.path("slots-available").asInt(-1), node.path("flink-version").asString(""));
    }

    /** The REST API, such as {@code http://127.0.0.1:41234}. */
    public URI restUrl() {
        return restUrl;
    }

    public Path clusterDir() {
        return clusterDir;
    }

    /** Where jobs write their checkpoints unless they say otherwise: the cluster's configured default. */
    public Optional<String> checkpointDirectory() {
        Map<String, Object> current = config;
        if (current == null) {
            return Optional.empty();
        }
        return LocalClusterConfig.ALIASES.get(0).stream().map(k -> LocalClusterConfig.text(current, k))
                .filter(v -> v != null).findFirst();
    }

    public Path logDir() {
        return logDir;
    }

    public FlinkHome home() {
        return home;
    }

    /** True when this object took over processes a previous one started. */
    public synchronized boolean adopted() {
        return adopted;
    }

    /** How many processes the watchdog restarted. */
    public int restarts() {
        return restarts.get();
    }

    public long jobManagerPid() {
        return members.get(0).handle.pid();
    }

    public List<Long> taskManagerPids() {
        return members.subList(1, members.size()).stream().map(m -> m.handle.pid()).toList();
    }

    /** Stops the watchdog and every process (SIGTERM, then SIGKILL after the grace period), and removes the pid files. */
    public void stop() {
        stopping = true;
        stopWatchdog();
        synchronized (this) {
            long started = System.nanoTime();
            List<ProcessHandle> handles = members.stream().map(m -> m.handle).filter(h -> h != null).toList();
            terminate(handles);
            members.forEach(m -> PidFile.delete(m.pidFile));
            LOG.info("cluster={} processes={} millis={} stopped", clusterDir, handles.size(),
                    (System.nanoTime() - started) / 1_000_000);
        }
    }

    /** Stops supervising but leaves the processes running, for a later {@link #startOrAdopt}. */
    public void detach() {
        stopping = true;
        stopWatchdog();
        LOG.info("cluster={} rest={} detached, processes keep running", clusterDir, restUrl);
    }

    @Override
    public void close() {
        stop();
    }

    private void stopQuietly() {
        try {
            stop();
        } catch (RuntimeException e) {
            LOG.warn("cluster={} cleanup after a failed start failed", clusterDir, e);
        }
    }

    private void stopWatchdog() {
        watchdog.shutdown();
        try {
            // outside the lock: a round in progress holds it
            if (!watchdog.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("cluster={} watchdog did not finish its round", clusterDir);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGTERM to all, wait out the grace period together, then SIGKILL what is left. */
    private void terminate(List<ProcessHandle> processes) {
        terminate(processes, options.stopGrace());
    }

    private static void terminate(List<ProcessHandle> processes, Duration grace) {
        List<ProcessHandle> alive = processes.stream().filter(ProcessHandle::isAlive).toList();
        alive.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        for (ProcessHandle p : alive) {
            if (!awaitExit(p, Math.max(0, deadline - System.nanoTime()))) {
                LOG.warn("pid={} grace={} still running after SIGTERM, killing", p.pid(), grace);
                p.destroyForcibly();
                if (!awaitExit(p, TimeUnit.SECONDS.toNanos(10))) {
                    throw new LocalClusterException("process " + p.pid() + " survived SIGKILL");
                }
            }
        }
    }

    private static boolean awaitExit(ProcessHandle p, long nanos) {
        try {
            p.onExit().get(nanos, TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return !p.isAlive();
        } catch (ExecutionException e) {
            return !p.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !p.isAlive();
        }
    }

    /** What must match for processes to be adopted: the same home, size, configuration and Java. */
    private String fingerprint() {
        String text = String.join("\n", home.home().toString(), home.version(), java.toString(),
                "taskManagers=" + taskManagers, "slots=" + slotsPerTaskManager, new TreeMap<>(flinkConfiguration).toString());
        return Digests.sha256(text);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalClusterException("interrupted while waiting for the local cluster", e);
        }
    }
}
