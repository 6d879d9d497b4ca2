package io.tributary.apply;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.build.ProjectBuilds;
import io.tributary.config.ConfigError;
import io.tributary.config.ConfigLoader;
import io.tributary.config.SqlOrigin;
import io.tributary.flink.DeploymentTarget;
import io.tributary.model.Application;
import io.tributary.model.Cluster;
import io.tributary.model.DesiredState;
import io.tributary.model.JobState;
import io.tributary.model.ResourceId;
import io.tributary.plan.Action;
import io.tributary.plan.AppObservation;
import io.tributary.plan.ClusterAction;
import io.tributary.plan.Health;
import io.tributary.plan.Observed;
import io.tributary.plan.Plan;
import io.tributary.plan.Plan.AppPlan;
import io.tributary.plan.Planner;
import io.tributary.plan.SpecHash;
import io.tributary.plan.Sync;
import io.tributary.source.Backoff;
import io.tributary.source.Checkout;
import io.tributary.source.ConfigSource;
import io.tributary.source.Revision;
import io.tributary.source.SourceException;
import io.tributary.store.AppEvent;
import io.tributary.store.AppStatus;
import io.tributary.store.LeaderLock;
import io.tributary.store.RevisionRecord;
import io.tributary.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop: fetch the config source, load and validate a new revision (an invalid one is never
 * applied; the last good one stays in force), observe, plan, and hand each app's action to a
 * bounded pool, one operation per app at a time, so a slow savepoint never holds up other apps.
 * Only the holder of the leader lock acts; another replica waits and takes over.
 */
public final class Reconciler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    /** The actor of everything the loop does on its own. */
    public static final String SELF = "tributary";
    /** Who suspends the jobs of the clusters that stop with the service: what it resumes at its next start. */
    public static final String SHUTDOWN = "tributary (shutdown)";
    /** Who moves the jobs off a managed cluster that restarts with a new spec: resumed once it runs again. */
    public static final String CLUSTER_RESTART = "tributary (cluster restart)";
    /** The actors whose suspends the service resumes by itself, even while an app's syncing is paused. */
    static final Set<String> SUSPENDS_TO_RESUME = Set.of(SHUTDOWN, CLUSTER_RESTART);
    /**
     * How long {@link #close} may take in all: within the grace period of the shipped systemd unit and
     * Kubernetes deployment (120 s), with the local cluster's own stop after it.
     */
    private static final Duration CLOSE_BUDGET = Duration.ofSeconds(90);
    /** The part of {@link #CLOSE_BUDGET} given to the pass and operations running when the service stops. */
    private static final Duration RUNNING_OPERATIONS_AT_CLOSE = Duration.ofSeconds(30);
    /** The subject of events about the config source as a whole (invalid-revision), beside apps' {@code team/name}. */
    public static final String PLATFORM_SUBJECT = "platform:source";

    public record Options(Duration pollInterval, int workers) {}

    /** How often the loop observes when nothing is triggered (or the poll interval, if shorter). */
    private static final Duration IDLE_PASS = Duration.ofSeconds(5);
    /** How often it observes while a job is on its way from one state to another. */
    private static final Duration SETTLING_PASS = Duration.ofMillis(250);
    /** For how long after an operation ended a job between states is followed that closely. */
    private static final Duration SETTLING_WINDOW = Duration.ofSeconds(30);
    /** How soon an interrupted operation whose cluster did not answer is recovered again. */
    static final Duration RECOVERY_RETRY = Duration.ofSeconds(30);
    /** How long an operation waits for a pass that holds its app to write the app's status. */
    private static final Duration STATUS_WRITE_WAIT = Duration.ofSeconds(5);
    private static final int EARLIER_REVISIONS_KEPT = 8;
    private static final Set<JobState> SETTLING_STATES = java.util.EnumSet.of(JobState.INITIALIZING,
            JobState.CREATED, JobState.FAILING, JobState.CANCELLING, JobState.RESTARTING, JobState.RECONCILING);

    /** A validated revision in force: its name, what it declares, and where each SQL app's script is written. */
    public record Loaded(Revision revision, DesiredState desired, Map<ResourceId, SqlOrigin> sqlOrigins) {}

    /**
     * The config source as users see it (Flux-style conditions).
     *
     * @param condition {@code Ready} (the newest revision is applied), {@code Reconciling} (not
     *     yet loaded), {@code Stalled} (the source cannot be fetched, or its newest revision is
     *     invalid; the last good one stays in force)
     * @param errors the newest revision's validation errors, {@code file:line:column: message}
     * @param fetchedMessage the first line of the newest fetched revision's commit message, when it has one
     */
    public record SyncStatus(String condition, String reason, String source, String appliedRevision,
            String fetchedRevision, Instant lastFetch, Instant lastAttempt, List<String> errors, boolean leader,
            String fetchedMessage) {
        public SyncStatus {
            errors = List.copyOf(errors);
        }

        /** What the status shows of a commit message: its first line. */
        static String firstLine(String message) {
            return message == null || message.isBlank() ? null : message.strip().lines().findFirst().orElse(null);
        }
    }

    private final ConfigSource source;
    private final ConfigLoader loader;
    private final Store store;
    private final ClusterRegistry clusters;
    private final Operations operations;
    private final Observer observer;
    private final Optional<LeaderLock> lock;
    private final Clock clock;
    private final Options options;
    /** Operations that stop a job before anything else, which a savepoint can make long. */
    private static final Set<String> STOPS_A_JOB_FIRST = Set.of("upgrade", "suspend", "delete");
    private final ThreadPoolExecutor workers;
    /**
     * Cluster starts, stops and restarts, apart from {@link #workers}: a restart waits for its apps' moves, which
     * run on the workers, and would wait for ever if restarts held them all.
     */
    private final ExecutorService clusterWorkers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tributary-cluster");
        t.setDaemon(true);
        return t;
    });
    private final ReconcileMetrics metrics;
    /** What alerts are about: job, cluster and checkpoint conditions, written as events when they change. */
    private final Conditions conditions;
    private final Set<String> busy = ConcurrentHashMap.newKeySet();
    /** Apps in {@link #busy} only while a pass writes their status: an operation waits for that moment. */
    private final Set<String> statusWrites = ConcurrentHashMap.newKeySet();
    /** Clusters whose last start or stop failed: when to try again, and how long the wait grows. */
    private final Map<String, Instant> clusterRetryAt = new ConcurrentHashMap<>();
    private final Map<String, Backoff> clusterBackoffs = new ConcurrentHashMap<>();
    /** Apps held this pass: an operation of theirs is left open (by a crash, or a call Flink did not answer). */
    private volatile Set<String> awaitingRecovery = Set.of();
    /** Open operations whose wait (for a cluster's adoption, or its answer) was reported once. */
    private final Set<Long> reportedWaiting = ConcurrentHashMap.newKeySet();
    /**
     * Apps with an operation left open while the service ran, and when to recover it: at once after
     * the operation ended open, later after a recovery found its cluster silent.
     */
    private final Map<String, Instant> recoveryDue = new ConcurrentHashMap<>();
    private final Backoff fetchBackoff = Backoff.forFetches();
    /**
     * Every app's spec in the last revision that declared it, since this process started: an app that
     * left Git is deleted or kept as the spec it last ran with says ({@code prune}).
     */
    private final Map<String, Application> lastDeclared = new ConcurrentHashMap<>();
    /**
     * Every cluster in the last revision that declared it: a job still runs on a cluster removed from Git
     * in the commit that moved its app elsewhere, and is stopped there with a savepoint first.
     */
    private final Map<String, Cluster> lastDeclaredClusters = new ConcurrentHashMap<>();
    /** Clusters searched for in earlier revisions in vain, with the revision then applied: not searched again under it. */
    private final Map<String, String> undeclaredClusters = new ConcurrentHashMap<>();
    /**
     * The revision in force when this process first applied one, as the store recorded it: it holds the
     * latest spec of an app removed from Git while the service was down.
     */
    private volatile String appliedBeforeStart;
    /**
     * Desired states of revisions applied before, read again from the source after a restart, the
     * few used last (null: cannot be read again). Guarded by itself: the observer's listing threads
     * read it for clusters that left Git.
     */
    private final Map<String, DesiredState> earlierRevisions = new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, DesiredState> eldest) {
            return size() > EARLIER_REVISIONS_KEPT;
        }
    };
    private final Object wakeUp = new Object();
    private volatile boolean wakeRequested;
    /** An operation ended since the last pass began waiting: see {@link #loop}. */
    private boolean operationEnded;
    /** The last pass saw a job between states, or started an operation: see {@link #loop}. */
    private volatile boolean settling;
    private volatile long lastOperationEnd = System.nanoTime() - SETTLING_WINDOW.toNanos();
    private volatile boolean running;
    private volatile boolean recovered;
    private volatile Loaded current;
    /** {@link #current} with the jars of project builds: what passes, operations and readers use. */
    private volatile Loaded resolved;
    private volatile ProjectBuilds builds;
    private volatile Map<String, ProjectBuilds.AppNote> buildNotes = Map.of();
    private volatile SyncStatus sync;
    private volatile Thread loop;
    private Instant nextFetch = Instant.MIN;
    /** A new revision was applied: old exports are pruned once the pass has acted on it. */
    private boolean pruneDue;
    /** The revision just applied, written to the store with the next observation (before acting on it). */
    private RevisionRecord unrecorded;

    public Reconciler(ConfigSource source, ConfigLoader loader, Store store, ClusterRegistry clusters, Operations operations,
            Optional<LeaderLock> lock, Clock clock, Options options) {
        this(source, loader, store, clusters, operations, lock, clock, options, new SimpleMeterRegistry());
    }

    /** As above, recording passes, actions and failed fetches into {@code meters} (docs/metrics.md). */
    public Reconciler(ConfigSource source, ConfigLoader loader, Store store, ClusterRegistry clusters, Operations operations,
            Optional<LeaderLock> lock, Clock clock, Options options, MeterRegistry meters) {
        this.metrics = new ReconcileMetrics(meters);
        this.source = source;
        this.loader = loader;
        this.store = store;
        this.clusters = clusters;
        this.operations = operations;
        lock.ifPresent(l -> operations.actOnlyWhile(l::isHeld));
        this.observer = new Observer(store, clusters, clock);
        this.conditions = new Conditions(store, clock);
        this.lock = lock;
        this.clock = clock;
        this.options = options;
        this.workers = new ThreadPoolExecutor(options.workers(), options.workers(), 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "tributary-apply");
                    t.setDaemon(true);
                    return t;
                });
        this.sync = new SyncStatus("Reconciling", "not fetched yet", source.describe(), null, null, null, null,
                List.of(), false, null);
    }

    // ---- the loop

    public synchronized void start() {
        running = true;
        loop = new Thread(this::loop, "tributary-reconcile");
        loop.setDaemon(true);
        loop.start();
    }

    /** Fetch and reconcile now instead of at the next poll (webhooks, {@code POST /api/v1/sync}). */
    public void triggerSync() {
        LOG.debug("sync triggered");
        synchronized (wakeUp) {
            wakeRequested = true;
            nextFetch = Instant.MIN;
            wakeUp.notifyAll();
        }
    }

    /**
     * Passes every few seconds, sooner when triggered, and every {@link #SETTLING_PASS} while a job
     * is on its way somewhere (an operation just ended, a job is starting, restarting or stopping), so
     * the status shows RUNNING moments after the job runs rather than at the next idle pass.
     */
    private void loop() {
        while (running) {
            try {
                metrics.timePass(this::pass);
            } catch (RuntimeException e) {
                LOG.error("reconcile pass failed", e);
            }
            long passEnded = System.nanoTime();
            synchronized (wakeUp) {
                long idle = settling ? SETTLING_PASS.toNanos() : Math.min(options.pollInterval().toNanos(), IDLE_PASS.toNanos());
                try {
                    while (running && !wakeRequested) {
                        long due = passEnded + (operationEnded ? Math.min(idle, SETTLING_PASS.toNanos()) : idle);
                        long left = due - System.nanoTime();
                        if (left <= 0) {
                            break;
                        }
                        TimeUnit.NANOSECONDS.timedWait(wakeUp, left);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                wakeRequested = false;
                operationEnded = false;
            }
        }
    }

    /** An operation ended: look again soon, without fetching, to record where its job went. */
    private void operationEnded() {
        lastOperationEnd = System.nanoTime();
        synchronized (wakeUp) {
            operationEnded = true;
            wakeUp.notifyAll();
        }
    }

    /** One pass that waits for the operations it started: what tests and {@code plan} use. */
    public void reconcileOnce() {
        for (Future<?> f : metrics.timePass(this::pass)) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException e) {
                LOG.error("operation failed unexpectedly", e.getCause());
            }
        }
    }

    /**
     * Fetch when due (the poll interval, or sooner when triggered), then observe and act on every
     * pass: self-healing goes on with the last good revision while the source is down.
     */
    private synchronized List<Future<?>> pass() {
        if (lock.isPresent() && !lock.get().isHeld() && !lock.get().tryAcquire()) {
            followLeader();
            observer.forgetStoreRead();
            sync = withLeader(sync, false);
            // whoever leads meanwhile may leave operations open; recover them when leading again
            recovered = false;
            return List.of();
        }
        long t0 = System.nanoTime();
        Set<String> busyAtStart = Set.copyOf(busy);
        Future<Observer.Snapshot> readAhead = null;
        if (!clock.instant().isBefore(nextFetch)) {
            // the store and the clusters are read while Git is fetched: neither waits for the other
            if (recovered && current != null) {
                readAhead = observer.readAhead(Observer.clusterNames(current.desired()),
                        this::target);
            }
            fetch();
        }
        long t1 = System.nanoTime();
        Loaded loaded = current;
        if (loaded == null) {
            return List.of();
        }
        loaded = withBuiltArtifacts(loaded);
        List<Future<?>> started = new ArrayList<>();
        if (!recovered || !recoveryDue.isEmpty()) {
            recovered = recover(loaded, started);
        }
        started.addAll(reconcile(loaded, busyAtStart, readAhead));
        LOG.debug("pass fetchMs={} reconcileMs={}", ms(t0, t1), ms(t1, System.nanoTime()));
        // housekeeping not beside a submit, nor while a job of ours is being scheduled: the JobManager needs the cores
        if (busy.isEmpty() && !settling) {
            observer.refreshStoreRead();
            source.settle();
            if (pruneDue) {
                pruneDue = false;
                source.prune(List.of(loaded.revision()));
            }
        }
        return started;
    }

    // ---- source

    private void fetch() {
        Instant attempt = clock.instant();
        Checkout checkout;
        long t0 = System.nanoTime();
        try {
            checkout = source.fetch();
            LOG.debug("fetch sourceMs={}", ms(t0, System.nanoTime()));
        } catch (SourceException e) {
            metrics.fetchFailed(e.reason());
            Duration delay = fetchBackoff.nextDelay();
            nextFetch = attempt.plus(delay);
            LOG.warn("source={} fetch failed reason={} retryIn={}: {}", source.describe(), e.reason(), delay,
                    e.getMessage());
            if (current == null) {
                loadLastApplied();
            }
            sync = new SyncStatus("Stalled", e.getMessage() + "; retrying in " + delay.toSeconds() + "s",
                    source.describe(), appliedName(), sync.fetchedRevision(), sync.lastFetch(), attempt, sync.errors(),
                    true, sync.fetchedMessage());
            return;
        }
        fetchBackoff.reset();
        nextFetch = attempt.plus(options.pollInterval());
        Revision revision = checkout.revision();
        if (current != null && current.revision().id().equals(revision.id())) {
            if (!sync.errors().isEmpty()) {
                store.event(new AppEvent(0, attempt, PLATFORM_SUBJECT, "invalid-revision-resolved", "info", "revision "
                        + revision.name() + " is in force again", revision.name()));
            }
            sync = new SyncStatus("Ready", "revision " + revision.shortName() + " is applied", source.describe(),
                    appliedName(), revision.name(), attempt, attempt, List.of(), true, SyncStatus.firstLine(revision.message()));
            return;
        }
        if (sync.fetchedRevision() != null && sync.fetchedRevision().equals(revision.name()) && !sync.errors().isEmpty()) {
            sync = new SyncStatus(sync.condition(), sync.reason(), sync.source(), appliedName(), revision.name(),
                    attempt, attempt, sync.errors(), true, SyncStatus.firstLine(revision.message()));
            return; // the same invalid revision as last time: nothing new to say
        }
        long tl = System.nanoTime();
        ConfigLoader.Result result = loader.load(checkout.root());
        LOG.debug("fetch loadMs={}", ms(tl, System.nanoTime()));
        List<String> errors = result.errors().stream().map(ConfigError::toString).toList();
        RevisionRecord record = new RevisionRecord(revision.name(), revision.id(), attempt, result.valid(),
                errors.isEmpty() ? null : String.join("\n", errors), result.valid() ? attempt : null);
        if (!result.valid()) {
            store.recordRevision(record);
            store.event(new AppEvent(0, attempt, PLATFORM_SUBJECT, "invalid-revision", "error", "revision "
                    + revision.name() + " is invalid (" + errors.size() + " error(s)); first: " + errors.get(0) + "; "
                    + (current == null ? "nothing is applied yet" : appliedName() + " stays in force"), revision.name()));
            LOG.warn("revision={} invalid errors={} first=\"{}\"; {}", revision.name(), errors.size(), errors.get(0),
                    current == null ? "nothing is applied yet" : appliedName() + " stays in force");
            if (current == null) {
                loadLastApplied();
            }
            sync = new SyncStatus("Stalled", "revision " + revision.shortName() + " is invalid (" + errors.size()
                    + (errors.size() == 1 ? " error); " : " errors); ") + (current == null ? "nothing is applied" : current.revision().shortName()
                    + " stays in force"), source.describe(), appliedName(), revision.name(), attempt, attempt, errors,
                    true, SyncStatus.firstLine(revision.message()));
            return;
        }
        LOG.info("revision={} message=\"{}\" loaded resources={}", revision.name(), revision.message(),
                result.state().size());
        if (!sync.errors().isEmpty()) {
            store.event(new AppEvent(0, attempt, PLATFORM_SUBJECT, "invalid-revision-resolved", "info", "revision "
                    + revision.name() + " is valid and applied", revision.name()));
        }
        if (current == null) {
            appliedBeforeStart = store.lastApplied().map(RevisionRecord::name).orElse(null);
        }
        remember(current);
        current = new Loaded(revision, result.state(), result.sqlOrigins());
        // recorded as applied in the pass's observe transaction, which commits before any action starts
        unrecorded = record;
        pruneDue = true; // after this pass has acted: old exports are no part of a commit's way to Flink
        sync = new SyncStatus("Ready", "revision " + revision.shortName() + " is applied", source.describe(),
                revision.name(), revision.name(), attempt, attempt, List.of(), true, SyncStatus.firstLine(revision.message()));
    }

    /** After a restart whose first fetch fails or is invalid: the revision applied before is still the desired state. */
    private void loadLastApplied() {
        Optional<RevisionRecord> last = store.lastApplied();
        if (last.isEmpty()) {
            return;
        }
        try {
            Checkout checkout = source.checkout(last.get().name());
            ConfigLoader.Result result = loader.load(checkout.root());
            if (result.valid()) {
                remember(current);
                current = new Loaded(checkout.revision(), result.state(), result.sqlOrigins());
                LOG.info("revision={} in force again from the store", checkout.revision().name());
            }
        } catch (SourceException e) {
            LOG.warn("revision={} applied before cannot be checked out: {}", last.get().name(), e.getMessage());
        }
    }

    /**
     * A standby holds the revision the leader applied, from the store: its dashboard, API, logins
     * (users come from Git) and {@code /readyz} answer as the leader's do, and on taking over it
     * starts from that revision.
     */
    private void followLeader() {
        Optional<RevisionRecord> last = store.lastApplied();
        if (last.isPresent() && !last.get().name().equals(appliedName())) {
            loadLastApplied();
            sync = new SyncStatus(sync.condition(), sync.reason(), sync.source(), appliedName(), sync.fetchedRevision(),
                    sync.lastFetch(), sync.lastAttempt(), sync.errors(), false, sync.fetchedMessage());
        }
    }

    private void remember(Loaded replaced) {
        if (replaced != null) {
            replaced.desired().applications().forEach(a -> lastDeclared.put(a.id().qualifiedName(), a));
            replaced.desired().all(Cluster.class).forEach(c -> lastDeclaredClusters.put(c.id().qualifiedName(), c));
        }
    }

    /**
     * The spec an app that left Git last ran with: from the revisions this process applied, else (after a
     * restart) from the revision in force before it, or the one its status names, read again from the source.
     * Its {@code prune} says whether the app is deleted or kept.
     */
    public Optional<Application> lastSpec(AppStatus status) {
        Application declared = lastDeclared.get(status.app());
        if (declared != null) {
            return Optional.of(declared);
        }
        // newest first: a flag such as prune changes no job, so the status may name an older revision
        return java.util.stream.Stream.of(appliedBeforeStart, status.revision()).filter(Objects::nonNull).distinct()
                .map(revision -> declaredIn(revision, status.app())).flatMap(Optional::stream).findFirst();
    }

    private Optional<Application> declaredIn(String revision, String app) {
        return earlierRevision(revision, "app=" + app).flatMap(d -> application(app, d));
    }

    /**
     * A cluster that left Git while a job still runs on it, as the revisions this process applied declared
     * it, else (after a restart) the revision in force before it or one a job on it was deployed from.
     */
    private Optional<Cluster> lastDeclaredCluster(String name) {
        Cluster known = lastDeclaredClusters.get(name);
        if (known != null) {
            return Optional.of(known);
        }
        String applied = Objects.requireNonNullElse(appliedName(), "");
        if (applied.equals(undeclaredClusters.get(name))) {
            return Optional.empty();
        }
        Optional<Cluster> found = java.util.stream.Stream.concat(java.util.stream.Stream.of(appliedBeforeStart),
                        store.statuses().stream().filter(s -> name.equals(s.cluster())).map(AppStatus::revision))
                .filter(Objects::nonNull).distinct()
                .map(revision -> earlierRevision(revision, "cluster=" + name).flatMap(d -> cluster(name, d)))
                .flatMap(Optional::stream).findFirst();
        found.ifPresentOrElse(c -> lastDeclaredClusters.put(name, c), () -> undeclaredClusters.put(name, applied));
        return found;
    }

    /** A revision applied before, read again from the source; empty when it cannot be. */
    private Optional<DesiredState> earlierRevision(String revision, String wantedFor) {
        synchronized (earlierRevisions) {
            if (!earlierRevisions.containsKey(revision)) {
                DesiredState state = null;
                try {
                    ConfigLoader.Result result = loader.load(source.checkout(revision).root());
                    state = result.valid() ? result.state() : null;
                } catch (SourceException e) {
                    LOG.warn("{} left Git, and revision={} that declared it cannot be read again: {}", wantedFor,
                            revision, e.getMessage());
                }
                earlierRevisions.put(revision, state);
            }
            return Optional.ofNullable(earlierRevisions.get(revision));
        }
    }

    private String appliedName() {
        Loaded loaded = current;
        return loaded == null ? null : loaded.revision().name();
    }

    private static SyncStatus withLeader(SyncStatus s, boolean leader) {
        return new SyncStatus(leader ? s.condition() : "Standby", leader ? s.reason()
                : "another replica holds the leader lock; this one serves reads", s.source(), s.appliedRevision(),
                s.fetchedRevision(), s.lastFetch(), s.lastAttempt(), s.errors(), leader, s.fetchedMessage());
    }

    // ---- recovery

    /**
     * Finishes or rolls back the operations a crash (or a call Flink did not answer) left open, each
     * on a worker as its app's operation (a savepoint still in progress is waited for there, not in the
     * pass); true once none is left to start. An operation whose cluster has no target yet (a managed cluster is adopted by the first
     * plan) waits for a later pass, and one whose cluster does not answer is tried again after
     * {@link #RECOVERY_RETRY}; its app is held as in flight meanwhile, and in the pass that starts its
     * recovery: planning it before would start a second job beside one submitted before the crash, or
     * deploy without the savepoint just taken.
     *
     * @param started where the recoveries started are added
     */
    private boolean recover(Loaded loaded, List<Future<?>> started) {
        Set<String> held = new java.util.HashSet<>();
        boolean allStarted = true;
        List<io.tributary.store.Operation> open = store.openOperations();
        // another replica may have closed them while this one did not lead
        recoveryDue.keySet().retainAll(open.stream().map(io.tributary.store.Operation::app).toList());
        for (io.tributary.store.Operation op : open) {
            if (busy.contains(op.app())) {
                continue; // its recovery runs, or this replica's own operation from before it lost the lead
            }
            // finished on the cluster it acted on, which Git may have changed since
            Optional<Operations.Context> ctx = op.cluster() != null
                    ? contextOn(op.cluster(), op.app(), loaded, op.actor())
                    : context(op.app(), Operations.startsJob(op.kind()), loaded, op.actor());
            if (ctx.isEmpty()) {
                if (reportedWaiting.add(op.id())) {
                    LOG.info("app={} operation={} waits for its cluster to be recovered", op.app(), op.id());
                }
                held.add(op.app());
                continue;
            }
            Instant due = recoveryDue.get(op.app());
            // a hung JobManager would hold the pass for the REST client's whole timeout at every try
            if (due != null && (clock.instant().isBefore(due) || observer.hung(ctx.get().cluster()))) {
                held.add(op.app());
                continue;
            }
            held.add(op.app());
            String revision = loaded.revision().name();
            Optional<Future<?>> recovery = asOperation(op.app(), "finishing the " + op.kind() + " interrupted at the"
                    + " last stop", () -> {
                if (operations.recover(op, ctx.get())) {
                    recoveryDue.remove(op.app());
                } else {
                    recoveryWaits(op, ctx.get().cluster(), revision);
                }
            });
            recovery.ifPresent(started::add);
            allStarted &= recovery.isEmpty(); // held in this pass: the recovery may end before the plan
        }
        awaitingRecovery = Set.copyOf(held);
        return allStarted && held.isEmpty();
    }

    /** The recovery found the operation's cluster silent: asked again later, and said once. */
    private void recoveryWaits(io.tributary.store.Operation op, String cluster, String revision) {
        recoveryDue.put(op.app(), clock.instant().plus(RECOVERY_RETRY));
        if (reportedWaiting.add(op.id())) {
            store.event(new AppEvent(0, clock.instant(), op.app(), "recovery-waiting", "warning", "the " + op.kind()
                    + " interrupted before Flink answered is not finished yet: its cluster " + cluster
                    + " does not answer; tried again every " + RECOVERY_RETRY.toSeconds()
                    + "s, and nothing else is done for the app meanwhile", revision));
        }
    }

    // ---- observe, plan, act

    /**
     * @param busyAtStart apps whose operation ran when the pass began: skipped too, as an operation
     *     that ended since may have changed records a snapshot read ahead does not show
     * @param readAhead the snapshot read while fetching, or null to read one now
     */
    private List<Future<?>> reconcile(Loaded loaded, Set<String> busyAtStart, Future<Observer.Snapshot> readAhead) {
        DesiredState desired = loaded.desired();
        Set<String> inFlight = new java.util.HashSet<>(busy);
        inFlight.addAll(busyAtStart);
        inFlight.addAll(awaitingRecovery);
        long t0 = System.nanoTime();
        RevisionRecord applied = unrecorded;
        Consumer<Store> recordApplied = applied == null ? null : tx -> {
            tx.commitWithoutWaitingForDisk();
            tx.recordRevision(applied);
        };
        Observer.Snapshot snapshot;
        long recordMs = 0;
        if (readAhead == null) {
            snapshot = observer.read(Observer.clusterNames(desired), this::target, recordApplied);
        } else {
            snapshot = Observer.join(readAhead);
            if (recordApplied != null) {
                long r0 = System.nanoTime();
                store.useTransaction(recordApplied);
                recordMs = ms(r0, System.nanoTime());
            }
        }
        unrecorded = null;
        Observed observed = observer.observe(desired, this::lastSpec, inFlight, this::target, snapshot);
        long t1 = System.nanoTime();
        Plan plan = withBuildNotes(Planner.plan(desired, observed, clock.instant()), buildNotes);
        LOG.debug("pass observeMs={} (revisionRecordMs={}) planMs={} actions={}", ms(t0, t1), recordMs,
                ms(t1, System.nanoTime()), plan.apps().stream().filter(a -> a.action().isPresent()).count());
        List<Future<?>> started = new ArrayList<>();
        for (ClusterAction action : plan.clusters()) {
            Instant retryAt = clusterRetryAt.get(action.cluster());
            if (retryAt == null || !clock.instant().isBefore(retryAt)) {
                started.addAll(runCluster(action, loaded).stream().toList());
            }
        }
        List<AppPlan> quiet = new ArrayList<>();
        for (AppPlan planned : plan.apps()) {
            AppPlan app = withHadoopConfChecked(planned, desired);
            if (app.action().isPresent()) {
                submit(app.action().get(), loaded, SELF).ifPresent(started::add);
            } else {
                quiet.add(app);
            }
        }
        // the statuses of apps without an action are read after those with one have started
        Map<String, AppStatus> statuses = store.statuses().stream()
                .collect(Collectors.toMap(AppStatus::app, s -> s));
        Map<String, Application> declared = desired.applications().stream()
                .collect(Collectors.toMap(a -> a.id().qualifiedName(), a -> a));
        // one transaction for the pass's status writes, one commit per pass and not per app; observations
        // need not wait for the disk (the next operation's intent flushes them)
        store.useTransaction(tx -> {
            tx.commitWithoutWaitingForDisk();
            for (AppPlan app : quiet) {
                recordStatus(tx, app, observed.app(app.app()), Optional.ofNullable(statuses.get(app.app())),
                        Optional.ofNullable(declared.get(app.app())), loaded);
            }
        });
        // only what our own operations set moving is followed closely (a job that restarts for ever on
        // its own keeps the loop at its idle pace), and not while an operation runs: its app is not
        // observed meanwhile, a submit's JobManager needs the cores, and the operation's end wakes the loop
        settling = System.nanoTime() - lastOperationEnd < SETTLING_WINDOW.toNanos() && busy.isEmpty()
                && observed.apps().values().stream().anyMatch(o -> o.job()
                        .flatMap(AppObservation.CurrentJob::state).filter(SETTLING_STATES::contains).isPresent());
        Set<String> quietApps = quiet.stream().map(AppPlan::app).collect(Collectors.toSet());
        try {
            conditions.afterPass(desired, observed, plan, statuses, quietApps, loaded.revision().name(), this::target,
                    action -> submit(action, loaded, SELF).map(started::add).isPresent());
        } catch (RuntimeException e) {
            LOG.warn("alert conditions not checked this pass: {}", e.toString());
        }
        return started;
    }

    /** Runs one action for an app unless an operation of that app runs already or waits to be recovered. */
    Optional<Future<?>> submit(Action action, Loaded loaded, String actor) {
        Optional<Operations.Context> ctx = context(action.app(), Operations.startsJob(action.kind()), loaded, actor);
        if (ctx.isEmpty()) {
            LOG.warn("app={} action={} skipped: its cluster has no target", action.app(), action.kind());
            return Optional.empty();
        }
        if (awaitingRecovery.contains(action.app()) || recoveryDue.containsKey(action.app())) {
            return Optional.empty(); // its operation left open is finished first: one open operation per app
        }
        return asOperation(action.app(), action.kind() + ": " + action.reason(), () -> {
            long start = System.nanoTime();
            if (STOPS_A_JOB_FIRST.contains(action.kind())) {
                // until it has a new job to report, the app's status says what it waits for (a savepoint may take minutes)
                store.updateHealth(action.app(), Health.PROGRESSING.label(), Sync.OUT_OF_SYNC.label(),
                        action.kind() + ": " + action.reason());
            }
            String status = operations.run(action, ctx.get());
            if (io.tributary.store.Operation.OPEN.equals(status)) {
                recoveryDue.putIfAbsent(action.app(), clock.instant()); // before the app is free
            }
            metrics.actionEnded(action.kind(), status, start);
        });
    }

    /**
     * Takes the app for an operation: false while another runs. A pass that holds it to write its status
     * (a moment) is waited for, so an operator's action or a cluster's restart is not refused by chance.
     */
    private boolean claim(String app) {
        long deadline = System.nanoTime() + STATUS_WRITE_WAIT.toNanos();
        while (!busy.add(app)) {
            if (!statusWrites.contains(app) || System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /**
     * Runs {@code work} on a worker as the app's one operation: busy until it ends; empty when busy already. While
     * every worker is taken, the app's status says that it is queued, and why (from {@code reason}).
     */
    private Optional<Future<?>> asOperation(String app, String reason, Runnable work) {
        if (!claim(app)) {
            return Optional.empty();
        }
        try {
            int waiting = workers.getQueue().size();
            if (waiting > 0 || workers.getActiveCount() >= workers.getMaximumPoolSize()) {
                store.updateHealth(app, Health.PROGRESSING.label(), Sync.OUT_OF_SYNC.label(), "queued behind "
                        + (workers.getActiveCount() + waiting) + " operations (" + workers.getMaximumPoolSize()
                        + " run at once): " + reason);
            }
            return Optional.of(workers.submit(() -> {
                try {
                    work.run();
                } finally {
                    busy.remove(app);
                    operationEnded();
                }
            }));
        } catch (RuntimeException e) {
            busy.remove(app);
            throw e;
        }
    }

    private List<Future<?>> runCluster(ClusterAction action, Loaded loaded) {
        String name = action.cluster();
        if (!busy.add(clusterKey(name))) {
            return List.of();
        }
        return List.of(clusterWorkers.submit(() -> {
            try {
                if (action instanceof ClusterAction.StartCluster) {
                    clusters.start(cluster(name, loaded.desired()).orElseThrow(), loaded.desired());
                } else if (action instanceof ClusterAction.StopCluster) {
                    clusters.stop(name);
                } else if (action instanceof ClusterAction.UpdateCluster u) {
                    List<String> left = moveOff(name, u.appsToMove(), loaded);
                    if (!left.isEmpty()) {
                        // a restart now would end their jobs without the savepoint (or checkpoint) the move is for
                        throw new IllegalStateException("not restarted while the job of " + String.join(", ", left)
                                + " still runs on it (see the app's events)");
                    }
                    clusters.stop(name);
                    clusters.start(cluster(name, loaded.desired()).orElseThrow(), loaded.desired());
                    // the moved apps have no job now; the next plan resumes those in Git from the state they left
                    for (String app : u.appsToMove()) {
                        store.event(new AppEvent(0, clock.instant(), app, "cluster-updated", "info",
                                "cluster " + name + " restarted with its new spec; " + (application(app, loaded.desired())
                                        .isPresent() ? "resuming from the state the job left" : "the job, removed from Git"
                                        + " (prune: false), stays stopped with its savepoint until it is declared again"),
                                loaded.revision().name()));
                    }
                }
                clusterBackoffs.remove(name);
                clusterRetryAt.remove(name);
            } catch (RuntimeException e) {
                // a cluster that cannot start (no Kubernetes API server, no YARN) is tried again later, not every pass
                Duration delay = clusterBackoffs.computeIfAbsent(name,
                        n -> new Backoff(Duration.ofSeconds(30), Duration.ofMinutes(10), 2.0)).nextDelay();
                clusterRetryAt.put(name, clock.instant().plus(delay));
                // a session deployed but not answering stays deployed and is not started again by itself
                boolean retried = cluster(name, loaded.desired()).flatMap(clusters::startupProblem).isEmpty();
                LOG.error("cluster={} action={} failed; {}", name, action.getClass().getSimpleName(),
                        retried ? "retrying in " + delay.toSeconds() + "s" : "left deployed", e);
                recordClusterFailure(name, action, e, retried ? "; retrying in " + delay.toSeconds() + "s" : "",
                        loaded);
                return;
            } finally {
                busy.remove(clusterKey(name));
            }
            operationEnded();
        }));
    }

    /**
     * Stops the jobs of {@code apps} on a cluster about to be restarted, each the way its move says
     * ({@link Planner#move}), and returns the apps whose job still runs there (its savepoint failed, or
     * another operation of the app holds it).
     */
    private List<String> moveOff(String cluster, List<String> apps, Loaded loaded) {
        // all at once, as many as the workers take: the cluster's downtime is one savepoint long, not one per job
        List<Future<?>> moves = new ArrayList<>();
        for (String app : apps) {
            Optional<String> job = store.status(app).map(AppStatus::jobId);
            if (job.isEmpty()) {
                continue;
            }
            String why = "moving to the updated cluster " + cluster;
            Action.Suspend move = application(app, loaded.desired())
                    .map(a -> Planner.move(app, job.get(), a.spec(), why))
                    .orElseGet(() -> new Action.Suspend(app, job.get(), false, why));
            submit(move, loaded, CLUSTER_RESTART).ifPresent(moves::add);
        }
        moves.forEach(Reconciler::await);
        return apps.stream().filter(app -> store.status(app).map(AppStatus::jobId).isPresent()).toList();
    }

    /** Each app on a cluster that failed to start or stop learns why, on its page. */
    private void recordClusterFailure(String name, ClusterAction action, RuntimeException e, String retry,
            Loaded loaded) {
        String what = action instanceof ClusterAction.StopCluster ? "stop"
                : action instanceof ClusterAction.UpdateCluster ? "restart" : "start";
        String message = "cluster " + name + ": " + what + " failed: "
                + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + retry;
        for (Application app : loaded.desired().applications()) {
            if (loaded.desired().clusterOf(app).filter(c -> c.id().qualifiedName().equals(name)).isPresent()) {
                store.event(new AppEvent(0, clock.instant(), app.id().qualifiedName(), "cluster-failed", "error",
                        message, loaded.revision().name()));
            }
        }
    }

    private static long ms(long from, long to) {
        return (to - from) / 1_000_000;
    }

    /** A cluster's entry in the busy set, beside the apps' {@code team/name} keys. */
    static String clusterKey(String cluster) {
        return "cluster:" + cluster;
    }

    private static void await(Future<?> f) {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Writes an app's health, sync and job state when they changed, with an event when its health did. */
    private void recordStatus(Store tx, AppPlan plan, AppObservation obs, Optional<AppStatus> previous,
            Optional<Application> app, Loaded loaded) {
        if (obs.operationInFlight() || !busy.add(plan.app())) {
            return; // an operation owns the app's status while it runs
        }
        statusWrites.add(plan.app());
        try {
            if (previous.isEmpty() && obs.job().isEmpty() && app.isEmpty()) {
                return;
            }
            if (obs.job().isPresent() && !obs.job().get().jobId().equals(previous.map(AppStatus::jobId).orElse(null))) {
                // an operation that ran beside this pass (a cluster's restart moving the app) replaced or stopped
                // the job the pass observed: its state would be written beside the wrong job
                return;
            }
            String jobState = obs.job().flatMap(AppObservation.CurrentJob::state).map(Enum::name)
                    .orElse(obs.job().isPresent() ? "MISSING" : null);
            // where and how the job runs while there is one, which Git may have changed since
            Optional<AppStatus> withJob = previous.filter(p -> p.jobId() != null);
            AppStatus next = new AppStatus(plan.app(), 0, previous.map(AppStatus::jobId).orElse(null),
                    previous.map(AppStatus::specHash).orElse(null), previous.map(AppStatus::revision).orElse(null),
                    withJob.map(AppStatus::cluster).or(() -> app.flatMap(a -> loaded.desired().jobClusterName(a)))
                            .orElse(previous.map(AppStatus::cluster).orElse(null)),
                    withJob.map(AppStatus::deploymentMode).or(() -> app.map(a -> a.spec().deployment().mode().yamlName()))
                            .orElse(previous.map(AppStatus::deploymentMode).orElse(null)),
                    jobState, plan.health().label(), plan.sync().label(), plan.message(), clock.instant());
            saveIfChanged(tx, previous, next, loaded);
            // a job that ended while nothing restarts it (its budget spent, no policy) ends its deployment now,
            // as Flink says it ended; a restart ends it otherwise
            obs.job().filter(j -> j.state().filter(s -> s.isTerminal() && s != JobState.SUSPENDED).isPresent())
                    .filter(j -> previous.map(AppStatus::jobState).filter(jobState::equals).isEmpty())
                    .ifPresent(j -> tx.endDeployment(j.jobId(), j.lastChange(), jobState));
        } finally {
            statusWrites.remove(plan.app());
            busy.remove(plan.app());
        }
    }

    private void saveIfChanged(Store tx, Optional<AppStatus> previous, AppStatus next, Loaded loaded) {
        if (previous.isPresent() && sameStatus(previous.get(), next)) {
            return;
        }
        if (!tx.saveObservedStatus(next)) {
            return; // an operation beside the pass replaced or stopped the job the pass read
        }
        String before = previous.map(AppStatus::health).orElse(null);
        if (!Objects.equals(before, next.health())) {
            String severity = "Degraded".equals(next.health()) || "Unknown".equals(next.health()) ? "warning" : "info";
            tx.event(new AppEvent(0, clock.instant(), next.app(), "health", severity,
                    (before == null ? "" : before + " -> ") + next.health() + ": " + next.message(),
                    loaded.revision().name()));
        }
    }

    private static boolean sameStatus(AppStatus a, AppStatus b) {
        return Objects.equals(a.jobState(), b.jobState()) && Objects.equals(a.health(), b.health())
                && Objects.equals(a.sync(), b.sync()) && Objects.equals(a.message(), b.message())
                && Objects.equals(a.cluster(), b.cluster()) && Objects.equals(a.deploymentMode(), b.deploymentMode());
    }

    // ---- what an operation gets

    /**
     * The spec, target and cluster of one app in a revision; empty when its cluster has no target.
     *
     * @param startsJob whether the operation only starts a job: then on the cluster Git names; any other
     *     acts on the app's job where it was started, which Git may have changed since
     */
    Optional<Operations.Context> context(String app, boolean startsJob, Loaded loaded, String actor) {
        Optional<Application> spec = application(app, loaded.desired());
        Optional<AppStatus> status = startsJob && spec.isPresent() ? Optional.empty() : store.status(app);
        return jobCluster(status, spec, loaded.desired()).flatMap(cluster -> contextOn(cluster, app, loaded, actor));
    }

    /**
     * The cluster an app's job runs on: where it was started while it has one (Git may have moved the app
     * since), else where Git puts it, else where its last job ran.
     */
    private static Optional<String> jobCluster(Optional<AppStatus> status, Optional<Application> spec,
            DesiredState desired) {
        return status.filter(s -> s.jobId() != null).map(AppStatus::cluster)
                .or(() -> spec.flatMap(desired::jobClusterName))
                .or(() -> status.map(AppStatus::cluster));
    }

    /** The REST address of the session cluster the app's job runs on; empty for an app's own cluster. */
    public Optional<java.net.URI> jobRestUrl(String app, Optional<AppStatus> status) {
        return jobSessionCluster(app, status).flatMap(clusters::restUrl);
    }

    /** The Flink web UI of the cluster the app's job runs on (its own cluster's on Kubernetes). */
    public Optional<java.net.URI> jobWebUi(String app, Optional<AppStatus> status) {
        Optional<String> cluster = jobCluster(app, status);
        if (cluster.flatMap(DesiredState::appOfCluster).isPresent()) {
            return clusters.appWebUi(app);
        }
        return cluster.flatMap(this::sessionCluster).flatMap(clusters::webUiUrl);
    }

    /** The session cluster the app's job runs on, as Git declares it or last declared it. */
    public Optional<Cluster> jobSessionCluster(String app, Optional<AppStatus> status) {
        return jobCluster(app, status).flatMap(this::sessionCluster);
    }

    private Optional<String> jobCluster(String app, Optional<AppStatus> status) {
        return current().flatMap(l -> jobCluster(status, application(app, l.desired()), l.desired()));
    }

    private Optional<Cluster> sessionCluster(String name) {
        return current().filter(l -> DesiredState.appOfCluster(name).isEmpty())
                .flatMap(l -> cluster(name, l.desired()).or(() -> lastDeclaredCluster(name)));
    }

    /** The context of an operation of {@code app} on {@code cluster}; empty when that cluster has no target. */
    private Optional<Operations.Context> contextOn(String cluster, String app, Loaded loaded, String actor) {
        Optional<Application> spec = application(app, loaded.desired());
        Optional<DeploymentTarget> target = target(cluster);
        if (target.isEmpty()) {
            return Optional.empty();
        }
        String hash = spec.map(a -> SpecHash.of(a, loaded.desired())).orElse(null);
        return Optional.of(new Operations.Context(loaded.desired(), spec, loaded.revision().name(), hash, cluster,
                target.get(), actor, spec.map(a -> loaded.sqlOrigins().get(a.id()))));
    }

    private Optional<DeploymentTarget> target(String clusterName) {
        Loaded loaded = current;
        if (loaded == null) {
            return Optional.empty();
        }
        Optional<String> app = DesiredState.appOfCluster(clusterName);
        if (app.isPresent()) {
            // a job of an app Git has since put on a session cluster or the other platform is found as its
            // cluster was deployed
            Optional<Application> spec = application(app.get(), loaded.desired())
                    .filter(a -> loaded.desired().jobClusterName(a).filter(clusterName::equals).isPresent());
            return spec.isPresent() ? clusters.appTarget(spec.get(), loaded.desired())
                    : clusters.appTarget(clusterName);
        }
        return cluster(clusterName, loaded.desired()).or(() -> lastDeclaredCluster(clusterName))
                .flatMap(clusters::target);
    }

    private static Optional<Cluster> cluster(String qualifiedName, DesiredState desired) {
        return desired.all(Cluster.class).stream().filter(c -> c.id().qualifiedName().equals(qualifiedName))
                .findFirst();
    }

    private static Optional<Application> application(String app, DesiredState desired) {
        return desired.applications().stream().filter(a -> a.id().qualifiedName().equals(app)).findFirst();
    }

    /** A suspended app's message with what it needs before it can run: {@code suspended; to run it: a; and b}. */
    static String toRunIt(String message, String need) {
        return message + (message.contains("; to run it: ") ? "; and " : "; to run it: ") + need;
    }

    /**
     * A YARN app whose Hadoop configuration is missing gets no operation (each would fail the same way):
     * it shows Degraded with what to set, and a suspended one says what it needs to run.
     */
    private static AppPlan withHadoopConfChecked(AppPlan plan, DesiredState desired) {
        Optional<String> problem = application(plan.app(), desired).flatMap(a -> hadoopConfProblem(a, desired));
        if (problem.isEmpty()) {
            return plan;
        }
        if (plan.health() == io.tributary.plan.Health.SUSPENDED) {
            return new AppPlan(plan.app(), Optional.empty(), plan.health(), plan.sync(),
                    toRunIt(plan.message(), problem.get()));
        }
        if (plan.action().isPresent()) {
            return new AppPlan(plan.app(), Optional.empty(), io.tributary.plan.Health.DEGRADED, plan.sync(),
                    "not deployed: " + problem.get());
        }
        return plan;
    }

    private static Optional<String> hadoopConfProblem(Application app, DesiredState desired) {
        Application.DeploymentMode mode = app.spec().deployment().mode();
        if (mode.isYarnPerAppCluster()) {
            return io.tributary.flink.YarnClusters.hadoopConfProblem(app.spec().deployment().yarn(),
                    "spec.deployment.yarn.hadoopConfDir");
        }
        if (mode == Application.DeploymentMode.YARN_SESSION) {
            return desired.clusterOf(app).flatMap(c -> io.tributary.flink.YarnClusters.hadoopConfProblem(
                    c.spec().yarn(), "cluster " + c.id().qualifiedName() + "'s spec.yarn.hadoopConfDir"));
        }
        return Optional.empty();
    }

    /** No operation runs: what tests wait for after an override started one outside a pass. */
    boolean idle() {
        return busy.isEmpty();
    }

    // ---- what the API reads

    public SyncStatus sync() {
        return sync;
    }

    /** True while this replica acts: it holds the leader lock, or runs alone (no lock). */
    public boolean leads() {
        return lock.isEmpty() || lock.get().isHeld();
    }

    /** The revision in force, with the digests of the jars Projects built for its apps (see {@link #useBuilds}). */
    public Optional<Loaded> current() {
        Loaded loaded = current;
        Loaded built = resolved;
        return Optional.ofNullable(built != null && loaded != null && built.revision() == loaded.revision() ? built : loaded);
    }

    // ---- project builds

    /**
     * Builds the Projects of every revision from now on: each pass asks {@code builds} for the jar of
     * every {@code jar.project} app, so a rebuilt jar is a spec change (an upgrade); an app with no jar
     * yet is left alone, and one whose latest build failed keeps its job and shows {@code Degraded}.
     * Call before {@link #start()}.
     */
    public void useBuilds(ProjectBuilds projectBuilds) {
        this.builds = projectBuilds;
    }

    public Optional<ProjectBuilds> builds() {
        return Optional.ofNullable(builds);
    }

    /** Build notes of apps, by {@code team/name}, as of the last pass: what pages show beside the status. */
    public Map<String, ProjectBuilds.AppNote> buildNotes() {
        return buildNotes;
    }

    private Loaded withBuiltArtifacts(Loaded loaded) {
        ProjectBuilds b = builds;
        if (b == null) {
            return loaded;
        }
        ProjectBuilds.Resolution resolution;
        try {
            resolution = b.resolve(loaded.desired());
        } catch (RuntimeException e) {
            LOG.error("revision={} project builds could not be consulted", loaded.revision().name(), e);
            Loaded previous = resolved;
            return previous != null && previous.revision() == loaded.revision() ? previous : loaded;
        }
        buildNotes = resolution.notes();
        if (resolution.desired() == loaded.desired()) {
            resolved = null;
            return loaded;
        }
        Loaded previous = resolved;
        // the same Loaded while nothing changed: readers cache by its identity
        if (previous != null && previous.revision() == loaded.revision()
                && previous.desired().equals(resolution.desired())) {
            return previous;
        }
        Loaded next = new Loaded(loaded.revision(), resolution.desired(), loaded.sqlOrigins());
        resolved = next;
        return next;
    }

    /**
     * Apps without a jar are not acted on; a failed build shows on the app as Degraded with its log. A
     * suspended app with nothing to do needs no jar yet: it stays Suspended, saying what it will need.
     */
    static Plan withBuildNotes(Plan plan, Map<String, ProjectBuilds.AppNote> notes) {
        if (notes.isEmpty()) {
            return plan;
        }
        List<AppPlan> apps = new ArrayList<>();
        for (AppPlan p : plan.apps()) {
            ProjectBuilds.AppNote note = notes.get(p.app());
            if (note == null) {
                apps.add(p);
            } else if (note.held() && p.health() == io.tributary.plan.Health.SUSPENDED && p.action().isEmpty()) {
                apps.add(new AppPlan(p.app(), p.action(), p.health(), p.sync(),
                        note.failed() ? toRunIt(p.message(), note.message()) : p.message() + "; " + note.message()));
            } else if (note.held()) {
                apps.add(new AppPlan(p.app(), Optional.empty(),
                        note.failed() ? io.tributary.plan.Health.DEGRADED : io.tributary.plan.Health.PROGRESSING,
                        io.tributary.plan.Sync.OUT_OF_SYNC, note.message()));
            } else if (p.action().isEmpty() && note.failed()) {
                apps.add(new AppPlan(p.app(), p.action(), io.tributary.plan.Health.DEGRADED, p.sync(), note.message()));
            } else if (p.action().isEmpty()) {
                apps.add(new AppPlan(p.app(), p.action(), p.health(), p.sync(), p.message() + "; " + note.message()));
            } else {
                apps.add(p);
            }
        }
        return new Plan(plan.clusters(), apps);
    }

    public Store store() {
        return store;
    }

    public ClusterRegistry clusters() {
        return clusters;
    }

    /**
     * Stops the loop and waits for running operations (each ends in a recorded state). Then the jobs
     * on the clusters that stop with the service (managed local ones) are suspended with a savepoint
     * each, so that the next start resumes them from it: left to die with their cluster they would
     * come back from their last checkpoint as after a failure, counted against their restart policy.
     * Other clusters stay to their owner, and their jobs keep running.
     */
    @Override
    public void close() {
        long deadline = System.nanoTime() + CLOSE_BUDGET.toNanos();
        running = false;
        triggerSync();
        try {
            suspendJobsOfStoppingClusters(deadline);
        } catch (RuntimeException e) { // the store or the leader lock unreachable: the jobs restart from checkpoints
            LOG.warn("shutdown: jobs of the local clusters not suspended: {}", e.toString());
        }
        workers.shutdown();
        clusterWorkers.shutdown();
        try {
            long left = Math.max(deadline - System.nanoTime(), TimeUnit.SECONDS.toNanos(1));
            if (!workers.awaitTermination(left, TimeUnit.NANOSECONDS)) {
                LOG.warn("operations still running at shutdown; they are resumed at the next start");
                workers.shutdownNow();
            }
            if (!clusterWorkers.awaitTermination(Math.max(deadline - System.nanoTime(), TimeUnit.SECONDS.toNanos(1)),
                    TimeUnit.NANOSECONDS)) {
                clusterWorkers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        observer.close();
        lock.ifPresent(LeaderLock::close);
    }

    private void suspendJobsOfStoppingClusters(long deadline) {
        Set<String> stopping = clusters.stoppedOnClose();
        Optional<Loaded> loaded = current();
        if (stopping.isEmpty() || loaded.isEmpty() || !leads()) {
            return;
        }
        // the pass in progress and the operations it started end first: they may be starting these jobs
        long settled = Math.min(deadline, System.nanoTime() + RUNNING_OPERATIONS_AT_CLOSE.toNanos());
        Thread pass = loop;
        try {
            if (pass != null) {
                TimeUnit.NANOSECONDS.timedJoin(pass, Math.max(settled - System.nanoTime(), 1));
            }
            while (!idle() && System.nanoTime() < settled) {
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        List<AppStatus> running = store.statuses().stream()
                .filter(s -> s.jobId() != null && stopping.contains(s.cluster())
                        && JobState.RUNNING.name().equals(s.jobState()))
                .toList();
        if (running.isEmpty()) {
            return;
        }
        LOG.info("shutdown: suspending {} job(s) on {} with a savepoint each, to resume from at the next start",
                running.size(), stopping);
        List<Future<?>> suspends = new ArrayList<>();
        for (AppStatus app : running) {
            submit(new Action.Suspend(app.app(), app.jobId(), false, "the service stopped, and cluster " + app.cluster()
                    + " with it; the job resumes from this savepoint when the service starts"), loaded.get(), SHUTDOWN)
                    .ifPresent(suspends::add);
        }
        try {
            for (Future<?> suspend : suspends) {
                suspend.get(Math.max(deadline - System.nanoTime(), 1), TimeUnit.NANOSECONDS);
            }
        } catch (TimeoutException e) {
            LOG.warn("shutdown: savepoints still running after {}s; jobs without one restart from their last "
                    + "checkpoint at the next start", CLOSE_BUDGET.toSeconds());
        } catch (ExecutionException e) {
            LOG.error("shutdown: a suspend failed unexpectedly", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
