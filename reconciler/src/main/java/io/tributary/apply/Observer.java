package io.tributary.apply;

import io.tributary.flink.DeploymentTarget;
import io.tributary.flink.FlinkException;
import io.tributary.flink.FlinkRest.Checkpoint;
import io.tributary.flink.FlinkRest.JobSummary;
import io.tributary.flink.JobId;
import io.tributary.flink.RetainedCheckpoints;
import io.tributary.model.Application;
import io.tributary.model.Cluster;
import io.tributary.model.DesiredState;
import io.tributary.model.JobState;
import io.tributary.plan.AppObservation;
import io.tributary.plan.AppObservation.AppliedSpec;
import io.tributary.plan.AppObservation.CurrentJob;
import io.tributary.plan.AppObservation.FailedAttempt;
import io.tributary.plan.AppObservation.KeptSavepoint;
import io.tributary.plan.ClusterObservation;
import io.tributary.plan.Observed;
import io.tributary.store.AppOverride;
import io.tributary.store.AppStatus;
import io.tributary.store.Deployment;
import io.tributary.store.Operation;
import io.tributary.store.SavepointRecord;
import io.tributary.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the world for the planner: clusters, the jobs on each (one call per cluster, not per
 * app), and the store's records of every app Git declares or Tributary still runs.
 */
final class Observer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Observer.class);
    /** How far back restarts are read; longer than any sensible restartPolicy.window. */
    private static final Duration RESTART_HISTORY = Duration.ofDays(1);
    /** How long a read of the store's records serves passes while this process writes nothing. */
    private static final Duration STORE_READ_REUSE = Duration.ofSeconds(5);

    /**
     * How long a pass waits for a cluster's list of jobs. A JobManager that accepts connections and
     * does not answer (hung, or in a long GC pause) would otherwise hold every pass, and so every
     * other cluster's apps, for the REST client's whole timeout.
     */
    static final Duration LISTING_WAIT = Duration.ofSeconds(10);

    /**
     * How long before a finished job's end its newest savepoint may have completed for the job to count
     * as stopped with it: a stop with a savepoint ends the job within seconds of the savepoint.
     */
    private static final Duration STOPPED_WITH_SAVEPOINT = Duration.ofMinutes(1);

    private final Store store;
    private final ClusterRegistry clusters;
    private final Clock clock;
    /** Lists clusters' jobs; idle threads end after a minute. */
    private final ThreadPoolExecutor listers = pool("tributary-observe", 8);
    /** Reads the store ahead of a pass, apart from the listings, which a hung cluster may hold. */
    private final ThreadPoolExecutor storeReaders = pool("tributary-observe-store", 1);
    /**
     * Listings that outlived the pass that asked (by cluster): while one still runs, its cluster is
     * not asked again, and counts as not answering. Its answer, when it comes, is not used: an
     * operation may have changed the cluster's jobs since it was asked.
     */
    private final Map<String, Future<ClusterJobs>> overdue = new ConcurrentHashMap<>();
    /** Per job: since when it was seen alive with not all its tasks running (Flink's listing has no such time). */
    private final Map<String, Instant> tasksWaitingSince = new ConcurrentHashMap<>();
    /** The last read of the store's records, or the one running; see {@link #currentStoreRead}. */
    private volatile Future<StoreRead> lastStoreRead;

    Observer(Store store, ClusterRegistry clusters, Clock clock) {
        this.store = store;
        this.clusters = clusters;
        this.clock = clock;
    }

    private static ThreadPoolExecutor pool(String name, int threads) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, name);
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    private static final ClusterJobs NOT_ANSWERED = new ClusterJobs(Optional.empty(), false);

    /**
     * Jobs of one cluster by id, or empty when it could not be asked; then whether its registry says it
     * was ended outside Tributary.
     */
    record ClusterJobs(Optional<Map<JobId, JobSummary>> jobs, boolean endedOutside) {
        ClusterRegistry.Answer answer() {
            return jobs.isPresent() ? ClusterRegistry.Answer.ANSWERED
                    : endedOutside ? ClusterRegistry.Answer.ENDED_OUTSIDE : ClusterRegistry.Answer.SILENT;
        }

        Optional<JobState> stateOf(String jobId) {
            if (jobs.isEmpty()) {
                return Optional.of(JobState.LOST);
            }
            return Optional.ofNullable(jobs.get().get(new JobId(jobId))).map(JobSummary::state);
        }
    }

    /**
     * The store's records, and the jobs of the named clusters (listed on their own threads while the
     * store is read), as of one moment: what {@link #observe} makes the planner's view of.
     */
    final class Snapshot {
        private final Instant at;
        private final long startedNanos;
        private final Map<String, Future<ClusterJobs>> listings = new HashMap<>();
        private final Map<String, AppStatus> statuses = new HashMap<>();
        private Records records;
        private long storeMs;
        private boolean storeReused;

        private Snapshot(Instant at) {
            this.at = at;
            this.startedNanos = System.nanoTime();
        }

        private void list(String cluster, Function<String, Optional<DeploymentTarget>> targets) {
            listings.computeIfAbsent(cluster, name -> {
                Future<ClusterJobs> late = overdue.get(name);
                if (late != null && !late.isDone()) {
                    return CompletableFuture.completedFuture(NOT_ANSWERED);
                }
                overdue.remove(name);
                return listers.submit(() -> listJobs(name, targets.apply(name)));
            });
        }

        /** The cluster's listing, or {@link #NOT_ANSWERED} when it is not there by {@code deadline}. */
        private ClusterJobs jobs(String cluster, long deadline) {
            Future<ClusterJobs> listing = listings.get(cluster);
            try {
                return listing.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                if (overdue.put(cluster, listing) == null) {
                    LOG.warn("cluster={} did not list its jobs within {}s; its jobs count as lost until it answers,"
                            + " and it is not asked again while it has not", cluster, LISTING_WAIT.toSeconds());
                }
                return NOT_ANSWERED;
            } catch (InterruptedException e) {
                throw interrupted(e);
            } catch (ExecutionException e) {
                throw failure(e);
            }
        }
    }

    /**
     * Reads a {@link Snapshot}: each cluster in {@code clusterNames} listed once (the listing also says
     * whether it answers), and the store's records, read again only when {@link #lastStoreRead} is no
     * longer current.
     *
     * @param write what the pass writes before it acts (the revision just applied), or null: done in the
     *     same transaction as the reads when there are reads, and committed before this returns
     */
    Snapshot read(Set<String> clusterNames, Function<String, Optional<DeploymentTarget>> targets,
            Consumer<Store> write) {
        Snapshot snapshot = new Snapshot(clock.instant());
        clusterNames.forEach(name -> snapshot.list(name, targets));
        StoreRead records = currentStoreRead();
        if (records == null) {
            records = readStore(write);
            lastStoreRead = CompletableFuture.completedFuture(records);
        } else if (write != null) {
            store.useTransaction(write);
        }
        snapshot.statuses.putAll(records.statuses());
        snapshot.records = records.records();
        snapshot.storeMs = (System.nanoTime() - snapshot.startedNanos) / 1_000_000;
        snapshot.storeReused = records.readAtNanos() < snapshot.startedNanos;
        return snapshot;
    }

    /** {@link #read} on another thread, writing nothing. */
    Future<Snapshot> readAhead(Set<String> clusterNames, Function<String, Optional<DeploymentTarget>> targets) {
        return storeReaders.submit(() -> read(clusterNames, targets, null));
    }

    /**
     * Reads the store's records again on another thread when this process wrote since they were read,
     * so that the next pass (a triggered one above all) finds them read: called after a pass, when no
     * operation runs.
     */
    void refreshStoreRead() {
        Future<StoreRead> last = lastStoreRead;
        if (last != null && (!last.isDone() || currentStoreRead() != null)) {
            return;
        }
        lastStoreRead = storeReaders.submit(() -> readStore(null));
    }

    /** Forgets the store's records: another replica may have written while this one did not lead. */
    void forgetStoreRead() {
        lastStoreRead = null;
    }

    /**
     * The last read of the store's records while it is current: this process wrote nothing since it
     * began, and it is younger than {@link #STORE_READ_REUSE}. A read still running is waited for. Other
     * replicas' writes (an override pinned through a standby's API) are therefore seen within that
     * time, as they are at the next idle pass without reuse.
     */
    private StoreRead currentStoreRead() {
        Future<StoreRead> last = lastStoreRead;
        if (last == null) {
            return null;
        }
        StoreRead read;
        try {
            read = join(last);
        } catch (RuntimeException e) {
            return null; // the pass reads again and reports what fails
        }
        boolean young = System.nanoTime() - read.readAtNanos() < STORE_READ_REUSE.toNanos()
                && Duration.between(read.at(), clock.instant()).compareTo(STORE_READ_REUSE) < 0;
        return young && read.changesBefore() == store.changes() ? read : null;
    }

    private StoreRead readStore(Consumer<Store> write) {
        long changesBefore = store.changes();
        Instant at = clock.instant();
        long startedNanos = System.nanoTime();
        Map<String, AppStatus> statuses = new HashMap<>();
        Records records = store.inTransaction(tx -> {
            if (write != null) {
                write.accept(tx);
            }
            tx.statuses().forEach(s -> statuses.put(s.app(), s));
            return new Records(tx.restorableSavepointsByApp(), tx.latestDeployments(),
                    tx.operationsSinceByApp("restart", at.minus(RESTART_HISTORY)), tx.latestOperationsByApp(10),
                    tx.overrides().stream().collect(Collectors.toMap(AppOverride::app, Function.identity())));
        });
        return new StoreRead(changesBefore, startedNanos, at, Map.copyOf(statuses), records);
    }

    /** The names of the clusters {@code desired} declares: those a snapshot lists. */
    static Set<String> clusterNames(DesiredState desired) {
        return desired.all(Cluster.class).stream().map(c -> c.id().qualifiedName()).collect(Collectors.toSet());
    }

    /**
     * @param desired the apps the planner plans (Git's, minus those of modes without a target yet)
     * @param lastSpec of an app that left Git, from its status: the spec it last ran with (its upgrade mode
     *     and prune), or empty when that cannot be told any more
     * @param busy apps whose operation runs right now
     * @param targets the deployment target of each cluster name
     * @param snapshot the records and listings to observe from; a cluster of {@code desired} it did
     *     not list is listed now
     */
    Observed observe(DesiredState desired, Function<AppStatus, Optional<Application>> lastSpec, Set<String> busy,
            Function<String, Optional<DeploymentTarget>> targets, Snapshot snapshot) {
        long t1 = System.nanoTime();
        Map<String, Application> declared = desired.applications().stream()
                .collect(Collectors.toMap(a -> a.id().qualifiedName(), Function.identity()));
        Map<String, AppStatus> statuses = snapshot.statuses;
        Map<String, Application> specs = new HashMap<>();
        Map<String, String> clusterOfApp = new HashMap<>();
        for (String app : union(declared.keySet(), statuses.keySet())) {
            AppStatus status = statuses.get(app);
            Application spec = declared.get(app);
            // a job is looked for where it was started, which Git may have changed since
            String cluster = status != null && status.jobId() != null ? status.cluster() : null;
            if (cluster == null && spec != null) {
                cluster = desired.jobClusterName(spec).orElse(null);
            }
            if (spec == null && status != null) {
                spec = lastSpec.apply(status).orElse(null);
            }
            if (cluster == null && status != null) {
                cluster = status.cluster();
            }
            if (spec != null) {
                specs.put(app, spec);
            }
            if (cluster != null) {
                clusterOfApp.put(app, cluster);
            }
        }
        // every cluster asked at once (an application cluster per app included), each waited for until
        // one shared deadline: a cluster that does not answer costs the pass that long, once
        Set<String> listed = new HashSet<>(clusterNames(desired));
        clusterOfApp.forEach((app, cluster) -> {
            AppStatus status = statuses.get(app);
            if (status != null && status.jobId() != null) {
                listed.add(cluster);
            }
        });
        overdue.keySet().retainAll(listed); // clusters gone from Git and from every status
        listed.forEach(name -> snapshot.list(name, targets));
        long deadline = t1 + LISTING_WAIT.toNanos();
        Map<String, ClusterJobs> jobsByCluster = new HashMap<>();
        for (String name : listed) {
            jobsByCluster.put(name, snapshot.jobs(name, deadline));
        }
        long t2 = System.nanoTime();
        Map<String, ClusterObservation> clusterObservations = new HashMap<>(clusters.observe(desired,
                name -> jobsByCluster.getOrDefault(name, NOT_ANSWERED).answer()));
        clusterObservations.replaceAll((name, c) -> busy.contains(Reconciler.clusterKey(name)) ? c.asBusy() : c);
        Map<String, AppObservation> apps = new HashMap<>();
        for (String app : union(declared.keySet(), statuses.keySet())) {
            String cluster = clusterOfApp.get(app);
            apps.put(app, observeApp(app, statuses.get(app), specs.get(app), cluster, busy.contains(app),
                    cluster == null ? NOT_ANSWERED : jobsByCluster.getOrDefault(cluster, NOT_ANSWERED), targets,
                    snapshot.records));
        }
        tasksWaitingSince.keySet().retainAll(apps.values().stream().flatMap(a -> a.job().stream())
                .map(CurrentJob::jobId).collect(java.util.stream.Collectors.toSet()));
        LOG.debug("observed apps={} clusters={} storeMs={} storeReused={} flinkWaitMs={} restMs={} sinceReadMs={}",
                apps.size(), jobsByCluster.size(), snapshot.storeMs, snapshot.storeReused, (t2 - t1) / 1_000_000, (System.nanoTime() - t2) / 1_000_000,
                (System.nanoTime() - snapshot.startedNanos) / 1_000_000);
        return new Observed(apps, clusterObservations, deletedSources(declared.values(), apps, snapshot.records));
    }

    /**
     * The apps Tributary deleted that a declared app's first deploy restores from ({@code spec.restore.application}):
     * what their records keep, their savepoints above all.
     */
    private Map<String, AppObservation> deletedSources(Collection<Application> declared, Map<String, AppObservation> apps,
            Records records) {
        Map<String, AppObservation> sources = new HashMap<>();
        for (Application app : declared) {
            Application.Restore restore = app.spec().restore();
            String source = restore == null ? null : restore.sourceApp(app.id().team());
            if (source != null && !apps.containsKey(source) && !apps.get(app.id().qualifiedName()).everDeployed()) {
                sources.put(source, observeApp(source, null, null, null, false, NOT_ANSWERED, name -> Optional.empty(),
                        records));
            }
        }
        return sources;
    }

    /** Whether a listing of {@code cluster}'s jobs outlived its pass and still has no answer: a hung JobManager. */
    boolean hung(String cluster) {
        Future<ClusterJobs> late = overdue.get(cluster);
        return late != null && !late.isDone();
    }

    /** What {@code reading} read; what it threw, thrown here. */
    static <T> T join(Future<T> reading) {
        try {
            return reading.get();
        } catch (InterruptedException e) {
            throw interrupted(e);
        } catch (ExecutionException e) {
            throw failure(e);
        }
    }

    private static IllegalStateException interrupted(InterruptedException e) {
        Thread.currentThread().interrupt();
        return new IllegalStateException("interrupted while observing", e);
    }

    private static RuntimeException failure(ExecutionException e) {
        return e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    }

    /** Stops the threads that list clusters' jobs. */
    @Override
    public void close() {
        listers.shutdownNow();
        storeReaders.shutdownNow();
    }

    /** The store's records and statuses as one read found them, and the store's write count before it. */
    private record StoreRead(long changesBefore, long readAtNanos, Instant at, Map<String, AppStatus> statuses,
            Records records) {}

    /** The store's records of every app, read with one query each per pass rather than per app. */
    private record Records(Map<String, List<SavepointRecord>> savepoints, Map<String, Deployment> latestDeployments,
            Map<String, List<Operation>> restarts, Map<String, List<Operation>> recentOperations,
            Map<String, AppOverride> overrides) {}

    /** Whether and since when an alive job has not had all its tasks running, as far as Flink's listing says. */
    private Optional<AppObservation.TasksWaiting> tasksWaiting(String jobId, Optional<JobState> state,
            Optional<JobSummary> summary) {
        boolean waiting = state.filter(JobState::isAlive).isPresent() && summary.isPresent()
                && (summary.get().state() != JobState.RUNNING || summary.get().tasksWaiting());
        if (!waiting) {
            tasksWaitingSince.remove(jobId);
            return Optional.empty();
        }
        Instant since = tasksWaitingSince.computeIfAbsent(jobId, j -> clock.instant());
        return Optional.of(new AppObservation.TasksWaiting(since, summary.get().tasksRunning(),
                summary.get().tasksTotal()));
    }

    private AppObservation observeApp(String app, AppStatus status, Application spec, String cluster, boolean busy,
            ClusterJobs jobs, Function<String, Optional<DeploymentTarget>> targets, Records records) {
        Optional<CurrentJob> job = Optional.empty();
        Deployment latestDeployment = records.latestDeployments().get(app);
        if (status != null && status.jobId() != null) {
            Optional<DeploymentTarget> target = cluster == null ? Optional.empty() : targets.apply(cluster);
            Optional<JobState> state = jobs.stateOf(status.jobId());
            boolean finished = JobState.FINISHED.name().equals(status.jobState()) || latestDeployment != null
                    && status.jobId().equals(latestDeployment.jobId())
                    && JobState.FINISHED.name().equals(latestDeployment.endState());
            if (finished && state.filter(s -> s != JobState.FINISHED).map(s -> s == JobState.LOST).orElse(true)) {
                // a bounded job that finished stays finished while its cluster is away and once a restarted JobManager
                // forgets it: it is not run again (its status reads LOST meanwhile, its deployment ended FINISHED)
                state = Optional.of(JobState.FINISHED);
            }
            Optional<JobSummary> summary = jobs.jobs()
                    .flatMap(j -> Optional.ofNullable(j.get(new JobId(status.jobId()))));
            Instant started = summary.map(JobSummary::startTime).orElse(status.updatedAt());
            Optional<String> checkpoint = Optional.empty();
            if (state.filter(s -> s == JobState.FINISHED).isPresent()) {
                // Flink discards a finished job's checkpoints; a savepoint it was stopped with stays. One
                // taken well before a bounded job finished on its own is not where the job ended
                Optional<Instant> ended = summary.flatMap(JobSummary::endTime);
                checkpoint = latestCompleted(target, status.jobId()).filter(Checkpoint::savepoint)
                        .filter(c -> ended.filter(e -> !c.time().isBefore(e.minus(STOPPED_WITH_SAVEPOINT))).isPresent())
                        .map(Checkpoint::externalPath);
            } else if (state.isEmpty() || state.get().isTerminal()) {
                checkpoint = latestCompleted(target, status.jobId()).map(Checkpoint::externalPath);
                if (checkpoint.isEmpty()) {
                    // the cluster that knew the job's checkpoints is gone (a JobManager or YARN application killed)
                    checkpoint = checkpointLeftOnDisk(app, spec, cluster, target, status.jobId(), records);
                }
                if (checkpoint.isEmpty()) {
                    // none of its own (it failed before its first): the checkpoint it started from, when that
                    // is newer than every savepoint of the app, holds the newest state
                    checkpoint = records.savepoints().getOrDefault(app, List.of()).stream().findFirst()
                            .filter(s -> "checkpoint".equals(s.kind())).map(SavepointRecord::path);
                }
            }
            job = Optional.of(new CurrentJob(status.jobId(), state, started, checkpoint,
                    summary.map(JobSummary::lastModification).orElse(started), Optional.ofNullable(cluster),
                    tasksWaiting(status.jobId(), state, summary)));
        }
        Optional<AppliedSpec> applied = status == null || status.specHash() == null ? Optional.empty()
                : Optional.of(new AppliedSpec(status.specHash(), status.revision(),
                        spec == null ? Application.UpgradeMode.SAVEPOINT : spec.spec().upgradeMode(),
                        spec == null || spec.spec().prune()));
        boolean everDeployed = latestDeployment != null;
        // a checkpoint stays out of the savepoints (retention, periodic savepoints), unless the app has no job
        // and it is the newest state: a job cancelled to move with its latest checkpoint resumes from it
        List<SavepointRecord> recorded = records.savepoints().getOrDefault(app, List.of());
        Optional<SavepointRecord> leftBehind = recorded.stream().findFirst()
                .filter(s -> status == null || status.jobId() == null).filter(s -> "checkpoint".equals(s.kind()));
        List<KeptSavepoint> savepoints = recorded.stream()
                .filter(s -> !"checkpoint".equals(s.kind()) || leftBehind.filter(s::equals).isPresent())
                .map(s -> new KeptSavepoint(s.id(), s.path(), s.createdAt(), !"external".equals(s.kind())))
                .toList();
        if (recorded.isEmpty() && latestDeployment != null && latestDeployment.restoredFrom() != null) {
            // a path is recorded once, for the app that recorded it first: an app started from another's savepoint
            // (spec.restore.application, or the same spec.restore.savepoint) has that state only in its deployments
            savepoints = List.of(new KeptSavepoint(0, latestDeployment.restoredFrom(), latestDeployment.startedAt(),
                    false));
        }
        List<Instant> restarts = records.restarts().getOrDefault(app, List.of()).stream()
                .map(Operation::createdAt).toList();
        Optional<AppObservation.Override> override = Optional.ofNullable(records.overrides().get(app))
                .map(o -> new AppObservation.Override(
                        Optional.ofNullable(o.pinnedState()).map(s -> Application.DesiredState.valueOf(s.toUpperCase())),
                        o.drain(), o.cancelIfSavepointFails(), o.syncPaused(), o.actor(), o.reason(), o.since()));
        List<Operation> recent = records.recentOperations().getOrDefault(app, List.of());
        boolean suspendedByService = recent.stream().findFirst().filter(o -> "suspend".equals(o.kind())
                && Reconciler.SUSPENDS_TO_RESUME.contains(o.actor()) && Operation.DONE.equals(o.status())).isPresent();
        return new AppObservation(app, job, applied, everDeployed, savepoints, restarts, override,
                busy, lastFailure(recent), suspendedByService);
    }

    private ClusterJobs listJobs(String cluster, Optional<DeploymentTarget> target) {
        if (target.isPresent()) {
            try {
                return new ClusterJobs(Optional.of(target.get().jobs().stream()
                        .collect(Collectors.toMap(JobSummary::id, Function.identity(), (a, b) -> a))), false);
            } catch (FlinkException.Unreachable e) {
                // asked below
            }
        }
        return new ClusterJobs(Optional.empty(), clusters.endedOutside(cluster));
    }

    private static Optional<Checkpoint> latestCompleted(Optional<DeploymentTarget> target, String jobId) {
        if (target.isEmpty()) {
            return Optional.empty();
        }
        try {
            return target.get().checkpoints(new JobId(jobId)).latestCompleted();
        } catch (FlinkException e) {
            return Optional.empty(); // the cluster forgot the job: the planner falls back to the last savepoint
        }
    }

    /**
     * The lost or ended job's newest completed checkpoint in its checkpoint directory, when it is newer
     * than the app's last savepoint: a JobManager without HA that was restarted no longer knows the job,
     * and a killed application cluster took its REST API along, but the checkpoints completed before
     * are still on disk (Tributary retains them on cancellation).
     */
    private Optional<String> checkpointLeftOnDisk(String app, Application spec, String cluster,
            Optional<DeploymentTarget> target, String jobId, Records records) {
        String directory = checkpointDirectory(spec, cluster, target);
        Optional<RetainedCheckpoints.Found> found = clusters.retainedCheckpoint(cluster, directory, jobId);
        Optional<Instant> lastSavepoint = records.savepoints().getOrDefault(app, List.of()).stream()
                .filter(s -> !"checkpoint".equals(s.kind())).map(SavepointRecord::createdAt).findFirst();
        found = found.filter(f -> lastSavepoint.map(f.completedAt()::isAfter).orElse(true));
        found.ifPresent(f -> LOG.debug("app={} job={} checkpoint={} found in its checkpoint directory", app, jobId,
                f.path()));
        return found.map(RetainedCheckpoints.Found::path);
    }

    /**
     * The app's own checkpoint directory, else its managed cluster's default, else the one the cluster's JobManager
     * runs with (an external cluster's own configuration); null when none is known.
     */
    private String checkpointDirectory(Application spec, String cluster, Optional<DeploymentTarget> target) {
        if (spec != null) {
            Map<String, String> config = JobLauncher.jobConfiguration(spec.spec());
            String own = Optional.ofNullable(config.get("execution.checkpointing.dir"))
                    .orElse(config.get("state.checkpoints.dir"));
            if (own != null) {
                return own;
            }
        }
        Optional<String> managed = cluster == null ? Optional.empty() : clusters.checkpointDirectory(cluster);
        return managed.or(() -> target.flatMap(DeploymentTarget::checkpointDirectory)).orElse(null);
    }

    /** The newest operation if it failed, with how many failed in a row for the same kind and spec. */
    private static Optional<FailedAttempt> lastFailure(List<Operation> recent) {
        if (recent.isEmpty() || !Operation.FAILED.equals(recent.get(0).status())) {
            return Optional.empty();
        }
        Operation newest = recent.get(0);
        int attempts = 0;
        for (Operation op : recent) {
            if (!Operation.FAILED.equals(op.status()) || !op.kind().equals(newest.kind())
                    || !java.util.Objects.equals(op.specHash(), newest.specHash())) {
                break;
            }
            attempts++;
        }
        return Optional.of(new FailedAttempt(newest.kind(), newest.specHash(), newest.updatedAt(), attempts,
                newest.error()));
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new java.util.TreeSet<>(a);
        all.addAll(b);
        return all;
    }
}
