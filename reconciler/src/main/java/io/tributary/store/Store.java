package io.tributary.store;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The service's records: app ids and statuses, the operation (intent) log, deployment history,
 * savepoints, overrides, events, the audit trail and fetched revisions.
 *
 * <p>Every call is its own transaction, except inside {@link #inTransaction}, where all calls on the
 * store handed to the callback share one. Times the store owns (ids' creation, operations' timestamps)
 * come from the clock; a time a record carries is kept as given, or the clock's if null. Times are
 * kept to the microsecond, as PostgreSQL does, so what is written is what is read back.
 */
public final class Store {
    private final Jdbi jdbi;
    /** Set on the store handed to an {@link #inTransaction} callback: every call runs on it. */
    private final Handle handle;
    private final Clock clock;
    /** Shared by this store and those handed to transactions: see {@link #changes}. */
    private final AtomicLong changes;
    /** Who hears of every event written (the alert dispatcher): shared with the stores handed to transactions. */
    private final List<Consumer<AppEvent>> listeners;
    /** Inside a transaction: its events, told to the listeners once it commits. */
    private final List<AppEvent> uncommitted;

    public Store(Database db, Clock clock) {
        this(db.jdbi(), null, clock, new AtomicLong(), new java.util.concurrent.CopyOnWriteArrayList<>());
    }

    private Store(Jdbi jdbi, Handle handle, Clock clock, AtomicLong changes, List<Consumer<AppEvent>> listeners) {
        this.jdbi = jdbi;
        this.handle = handle;
        this.clock = clock;
        this.changes = changes;
        this.listeners = listeners;
        this.uncommitted = handle == null ? null : new ArrayList<>();
    }

    /**
     * Tells {@code listener} of every event written through this store from now on, once written (an
     * event written in a transaction once it commits). The one place alerts hear of what happened.
     * A listener must return quickly and never throw.
     */
    public void onEvent(Consumer<AppEvent> listener) {
        listeners.add(listener);
    }

    private void tell(List<AppEvent> events) {
        for (AppEvent e : events) {
            for (Consumer<AppEvent> listener : listeners) {
                listener.accept(e);
            }
        }
    }

    /**
     * A number that grows with every write through this store (and again when a transaction that wrote ends), so
     * that a cache of reads knows when to read again. Writes of other processes sharing the database
     * (replicas) are not counted: such a cache also expires with time. Nor are appends to the audit trail,
     * which nothing caches: a {@code POST /api/v1/sync} audits itself while the pass it woke reads.
     */
    public long changes() {
        return changes.get();
    }

    /**
     * Runs {@code work} in one transaction: it commits when {@code work} returns and rolls back when it
     * throws. Calls on the store handed to {@code work} are part of the transaction; calls on this store
     * are not. Nested calls join the outer transaction.
     */
    public <T> T inTransaction(Function<Store, T> work) {
        if (handle != null) {
            return work.apply(this);
        }
        long before = changes.get();
        List<AppEvent> written = new ArrayList<>();
        try {
            T result = jdbi.inTransaction(h -> {
                Store tx = new Store(jdbi, h, clock, changes, listeners);
                T r = work.apply(tx);
                written.addAll(tx.uncommitted);
                return r;
            });
            tell(written);
            return result;
        } finally {
            if (changes.get() != before) {
                changes.incrementAndGet(); // counted again once committed: a read meanwhile saw the old rows
            }
        }
    }

    /**
     * Inside a transaction: its commit returns without waiting for the disk. For records the service
     * can lose to a machine crash (an observed status, the revision just fetched): PostgreSQL's log is
     * written in order, so the next commit that waits (an operation's intent) makes this one durable
     * too, before anything is asked of Flink.
     */
    public void commitWithoutWaitingForDisk() {
        if (handle == null) {
            throw new IllegalStateException("only inside inTransaction");
        }
        handle.execute("SET LOCAL synchronous_commit = off");
    }

    /** {@link #inTransaction} for work that returns nothing. */
    public void useTransaction(Consumer<Store> work) {
        inTransaction(s -> {
            work.accept(s);
            return null;
        });
    }

    // ---- applications

    /**
     * The app's stable number: assigned on first use, never reused, and the same after the app was
     * deleted and came back.
     */
    public long appId(String app) {
        requireText(app, "app");
        return dao(AppDao.class, d -> d.idOf(app).orElseGet(() -> {
            d.insertApp(app, now());
            changes.incrementAndGet();
            return d.idOf(app).orElseThrow();
        }));
    }

    /** Every app's number (see {@link #appId}), by app key: one query instead of one per app. */
    public Map<String, Long> appIds() {
        return dao(AppDao.class, AppDao::ids);
    }

    public Optional<String> appById(long id) {
        return dao(AppDao.class, d -> d.nameOf(id));
    }

    /** Creates or replaces the app's status; its {@code id} is ignored (see {@link #appId}). */
    public void saveStatus(AppStatus status) {
        upsert(status, (d, st) -> {
            d.upsertStatus(st);
            return 1;
        });
    }

    /**
     * Saves what a reconcile pass observed (cluster, mode, job state, health, sync, message) without
     * touching the job, spec and revision an existing row holds: an operation that finished
     * meanwhile has written those, and the pass's view of them may be older. Nothing is written when the
     * row names another job than {@code status} (such an operation replaced or stopped the observed job).
     *
     * @return whether it was written
     */
    public boolean saveObservedStatus(AppStatus status) {
        return upsert(status, AppDao::upsertObserved) > 0;
    }

    private int upsert(AppStatus status, java.util.function.ToIntBiFunction<AppDao, AppStatus> write) {
        requireText(status.app(), "app");
        AppStatus stored = new AppStatus(status.app(), 0, status.jobId(), status.specHash(), status.revision(),
                status.cluster(), status.deploymentMode(), status.jobState(), status.health(), status.sync(),
                status.message(), timeOrNow(status.updatedAt()));
        return inTransaction(s -> {
            s.appId(status.app());
            return s.dao(AppDao.class, d -> write.applyAsInt(d, stored));
        });
    }

    /**
     * Sets the health, sync and message of an app's status row, if it has one, and nothing else: what an
     * operation says of the app while it waits or works, before its own writes.
     */
    public void updateHealth(String app, String health, String sync, String message) {
        Instant now = timeOrNow(null);
        write(AppDao.class, d -> d.updateHealth(app, health, sync, message, now));
    }

    public Optional<AppStatus> status(String app) {
        return dao(AppDao.class, d -> d.status(app));
    }

    /** Every app's status, by app key. */
    public List<AppStatus> statuses() {
        return dao(AppDao.class, AppDao::statuses);
    }

    /** Forgets the app's status; its id, operations, deployments, savepoints and events stay. */
    public void deleteStatus(String app) {
        write(AppDao.class, d -> {
            d.deleteStatus(app);
            return null;
        });
    }

    // ---- operations

    /**
     * Records the intent of an operation before anything is done about it. The returned operation has
     * its id and timestamps; its status is {@code open} unless the given one says otherwise.
     */
    public Operation begin(Operation operation) {
        requireText(operation.app(), "app");
        requireText(operation.kind(), "kind");
        String status = operation.status() == null ? Operation.OPEN : operation.status();
        requireOneOf(status, Operation.STATUSES, "status");
        Instant now = now();
        Operation toInsert = operation.withStatus(status, operation.error()).withTimes(now, now);
        return write(OperationDao.class, d -> d.insert(toInsert));
    }

    /**
     * Writes what the operation learnt: step, new job id, trigger id, savepoint path, restore path,
     * status and error (the rest is what {@link #begin} wrote and stays). Returns the stored operation.
     *
     * @throws NoSuchElementException if there is no operation with that id
     */
    public Operation update(Operation operation) {
        requireOneOf(operation.status(), Operation.STATUSES, "status");
        Operation toUpdate = operation.withTimes(operation.createdAt(), now());
        return write(OperationDao.class, d -> d.update(toUpdate))
                .orElseThrow(() -> new NoSuchElementException("no operation id=" + operation.id()));
    }

    /** Operations not yet done, failed or rolled back, oldest first: what a restarted service resumes. */
    public List<Operation> openOperations() {
        return dao(OperationDao.class, OperationDao::open);
    }

    /** The app's latest {@code limit} operations, newest first. */
    public List<Operation> operations(String app, int limit) {
        return dao(OperationDao.class, d -> d.ofApp(app, requireLimit(limit)));
    }

    /** The app's operations of {@code kind} (any kind if null) begun at or after {@code since}, newest first. */
    public List<Operation> operationsSince(String app, String kind, Instant since) {
        return dao(OperationDao.class, d -> d.since(app, kind, micros(since)));
    }

    // ---- deployments

    /**
     * Records a job started for an app ({@code startedAt} the clock's if null). Recording a job id again
     * returns the row recorded first.
     */
    public Deployment recordDeployment(Deployment deployment) {
        requireText(deployment.app(), "app");
        requireText(deployment.jobId(), "jobId");
        Deployment toInsert = new Deployment(0, deployment.app(), deployment.jobId(), deployment.revision(),
                deployment.specHash(), deployment.restoredFrom(), timeOrNow(deployment.startedAt()),
                micros(deployment.endedAt()), deployment.endState(), deployment.jarSha256());
        return write(DeploymentDao.class, d -> {
            d.insert(toInsert);
            return d.ofJob(deployment.jobId()).orElseThrow();
        });
    }

    /** Marks the job's deployment ended, unless it already is (the first end stays). */
    public void endDeployment(String jobId, Instant at, String endState) {
        Instant when = timeOrNow(at);
        write(DeploymentDao.class, d -> d.end(jobId, when, endState));
    }

    /** The app's latest {@code limit} deployments, newest first. */
    public List<Deployment> deployments(String app, int limit) {
        return dao(DeploymentDao.class, d -> d.ofApp(app, requireLimit(limit)));
    }

    public Optional<Deployment> deploymentOf(String jobId) {
        return dao(DeploymentDao.class, d -> d.ofJob(jobId));
    }

    // ---- savepoints

    /**
     * Records a savepoint or checkpoint ({@code createdAt} the clock's if null). Recording a path again
     * changes nothing and returns the row recorded first.
     */
    public SavepointRecord recordSavepoint(SavepointRecord savepoint) {
        requireText(savepoint.app(), "app");
        requireText(savepoint.path(), "path");
        requireOneOf(savepoint.kind(), SavepointRecord.KINDS, "kind");
        SavepointRecord toInsert = new SavepointRecord(0, savepoint.app(), savepoint.jobId(), savepoint.path(),
                savepoint.kind(), savepoint.sizeBytes(), timeOrNow(savepoint.createdAt()),
                micros(savepoint.disposedAt()), savepoint.revision());
        return write(SavepointDao.class, d -> {
            d.insert(toInsert);
            return d.ofPath(savepoint.path()).orElseThrow();
        });
    }

    /** The app's savepoints and checkpoints, newest first, disposed ones included. */
    public List<SavepointRecord> savepoints(String app) {
        return dao(SavepointDao.class, d -> d.ofApp(app));
    }

    /** The app's newest savepoint or checkpoint not disposed of. */
    public Optional<SavepointRecord> latestRestorable(String app) {
        return dao(SavepointDao.class, d -> d.latestRestorable(app));
    }

    /** Every app's savepoints not disposed of, newest first per app: one query for a whole reconcile pass. */
    public Map<String, List<SavepointRecord>> restorableSavepointsByApp() {
        return byApp(dao(SavepointDao.class, SavepointDao::allRestorable), SavepointRecord::app);
    }

    /** Marks a savepoint's files removed; marking it again keeps the first time. */
    public void markDisposed(long id, Instant at) {
        Instant when = timeOrNow(at);
        write(SavepointDao.class, d -> d.markDisposed(id, when));
    }

    // ---- overrides

    /** Sets or replaces the app's override ({@code since} the clock's if null). */
    public void saveOverride(AppOverride override) {
        requireText(override.app(), "app");
        if (override.pinnedState() != null) {
            requireOneOf(override.pinnedState(), AppOverride.PINNED_STATES, "pinnedState");
        }
        AppOverride toSave = new AppOverride(override.app(), override.pinnedState(), override.drain(),
                override.cancelIfSavepointFails(), override.syncPaused(), override.actor(), override.reason(),
                timeOrNow(override.since()));
        write(OverrideDao.class, d -> {
            d.upsert(toSave);
            return null;
        });
    }

    /** Removes the app's override, if any: Git is in force again. */
    public void releaseOverride(String app) {
        write(OverrideDao.class, d -> {
            d.delete(app);
            return null;
        });
    }

    public Optional<AppOverride> override(String app) {
        return dao(OverrideDao.class, d -> d.of(app));
    }

    /** Every override, by app key. */
    public List<AppOverride> overrides() {
        return dao(OverrideDao.class, OverrideDao::all);
    }

    // ---- lists across apps, for the API

    /**
     * Which records of apps to list: of one app and/or one team (null: any), of apps in {@code teams} only
     * (null: every team), at or after {@code since} (null: any time).
     */
    public record Filter(String app, String team, Set<String> teams, Instant since) {
        public static final Filter ALL = new Filter(null, null, null, null);
    }

    /** One page of a list, newest first, and how many records match in all. */
    public record Page<T>(List<T> items, long total) {}

    /** Events of every app matching {@code filter}, newest first, {@code limit} from {@code offset}. */
    public Page<AppEvent> events(Filter filter, int limit, long offset) {
        requireLimit(limit);
        String[] teams = teamsOf(filter);
        return dao(EventDao.class, d -> new Page<>(d.matching(filter, filter.teams() == null, teams, limit, offset),
                d.countMatching(filter, filter.teams() == null, teams)));
    }

    /** Savepoints and checkpoints (disposed ones too) matching {@code filter}, newest first. */
    public Page<SavepointRecord> savepoints(Filter filter, int limit, long offset) {
        requireLimit(limit);
        String[] teams = teamsOf(filter);
        return dao(SavepointDao.class, d -> new Page<>(d.matching(filter, filter.teams() == null, teams, limit,
                offset), d.countMatching(filter, filter.teams() == null, teams)));
    }

    private static String[] teamsOf(Filter filter) {
        return filter.teams() == null ? new String[0] : filter.teams().toArray(String[]::new);
    }

    // ---- events and audit

    /** Appends an app event ({@code at} the clock's if null) and returns it with its id. */
    public AppEvent event(AppEvent event) {
        requireText(event.app(), "app");
        requireText(event.type(), "type");
        requireOneOf(event.severity(), AppEvent.SEVERITIES, "severity");
        AppEvent toInsert = new AppEvent(0, timeOrNow(event.at()), event.app(), event.type(), event.severity(),
                event.message(), event.revision());
        AppEvent written = write(EventDao.class, d -> d.insert(toInsert));
        if (uncommitted != null) {
            uncommitted.add(written);
        } else {
            tell(List.of(written));
        }
        return written;
    }

    /** The app's latest {@code limit} events, newest first. */
    public List<AppEvent> events(String app, int limit) {
        return dao(EventDao.class, d -> d.ofApp(app, requireLimit(limit)));
    }

    /** The latest {@code limit} events of all apps, newest first. */
    public List<AppEvent> recentEvents(int limit) {
        return dao(EventDao.class, d -> d.recent(requireLimit(limit)));
    }

    /** Appends to the audit trail ({@code at} the clock's if null). */
    public void audit(AuditEvent event) {
        requireText(event.actor(), "actor");
        requireText(event.action(), "action");
        AuditEvent toInsert = new AuditEvent(0, timeOrNow(event.at()), event.actor(), event.action(),
                event.target(), event.reason(), event.details());
        dao(EventDao.class, d -> {
            d.insertAudit(toInsert);
            return null;
        });
    }

    /** The latest {@code limit} audit events, newest first. */
    public List<AuditEvent> auditEvents(int limit) {
        return dao(EventDao.class, d -> d.audit(requireLimit(limit)));
    }

    /**
     * Which audit entries to list. {@code viewer} sees their own entries, and those whose target is an
     * application or project (targets {@code application team/name}, {@code project team/name}) of a team
     * in {@code teams}; {@code teams} null: every entry. Then only those of {@code target} and {@code actor}
     * (null: any), at or after {@code since} (null: any time).
     */
    public record AuditFilter(String viewer, Set<String> teams, String target, String actor, Instant since) {}

    /** Audit entries matching {@code filter}, newest first, {@code limit} from {@code offset}. */
    public Page<AuditEvent> auditEvents(AuditFilter filter, int limit, long offset) {
        requireLimit(limit);
        String[] teams = filter.teams() == null ? new String[0] : filter.teams().toArray(String[]::new);
        return dao(EventDao.class, d -> new Page<>(d.auditMatching(filter, filter.teams() == null, teams, limit,
                offset), d.countAuditMatching(filter, filter.teams() == null, teams)));
    }

    // ---- revisions

    /**
     * Records a fetched revision, replacing what was known of the same name ({@code fetchedAt} the
     * clock's if null). A null {@code appliedAt} keeps the time it was applied, if it was.
     */
    public void recordRevision(RevisionRecord revision) {
        requireText(revision.name(), "name");
        requireText(revision.id(), "id");
        RevisionRecord toSave = new RevisionRecord(revision.name(), revision.id(), timeOrNow(revision.fetchedAt()),
                revision.valid(), revision.errors(), micros(revision.appliedAt()));
        write(RevisionDao.class, d -> {
            d.upsert(toSave);
            return null;
        });
    }

    /** The revision applied last. */
    public Optional<RevisionRecord> lastApplied() {
        return dao(RevisionDao.class, RevisionDao::lastApplied);
    }

    /** The newest deployment of each app that ever had a job started, by app. */
    public Map<String, Deployment> latestDeployments() {
        return dao(DeploymentDao.class, DeploymentDao::latestPerApp).stream()
                .collect(Collectors.toUnmodifiableMap(Deployment::app, d -> d));
    }

    /** Each app's {@code perApp} newest operations, newest first: one query for a whole reconcile pass. */
    public Map<String, List<Operation>> latestOperationsByApp(int perApp) {
        return byApp(dao(OperationDao.class, d -> d.latestPerApp(requireLimit(perApp))), Operation::app);
    }

    /** Operations of {@code kind} begun at or after {@code since}, per app, newest first. */
    public Map<String, List<Operation>> operationsSinceByApp(String kind, Instant since) {
        return byApp(dao(OperationDao.class, d -> d.sinceOfKind(kind, micros(since))), Operation::app);
    }

    private static <T> Map<String, List<T>> byApp(List<T> rows, Function<T, String> app) {
        Map<String, List<T>> grouped = new HashMap<>();
        for (T row : rows) {
            grouped.computeIfAbsent(app.apply(row), a -> new ArrayList<>()).add(row);
        }
        return grouped;
    }

    /** Revisions, newest fetched first, {@code limit} from {@code offset}, and how many there are. */
    public Page<RevisionRecord> revisions(int limit, long offset) {
        requireLimit(limit);
        return dao(RevisionDao.class, d -> new Page<>(d.page(limit, offset), d.count()));
    }

    /** The latest {@code limit} revisions, newest fetched first. */
    public List<RevisionRecord> revisions(int limit) {
        return dao(RevisionDao.class, d -> d.recent(requireLimit(limit)));
    }

    // ----

    /** {@link #dao} for a call that writes: counted in {@link #changes} once done. */
    private <D, R> R write(Class<D> type, Function<D, R> call) {
        try {
            return dao(type, call);
        } finally {
            changes.incrementAndGet();
        }
    }

    private <D, R> R dao(Class<D> type, Function<D, R> call) {
        if (handle != null) {
            return call.apply(handle.attach(type));
        }
        return jdbi.withExtension(type, call::apply);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private Instant timeOrNow(Instant at) {
        return at == null ? now() : micros(at);
    }

    private static Instant micros(Instant at) {
        return at == null ? null : at.truncatedTo(ChronoUnit.MICROS);
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required");
        }
    }

    private static void requireOneOf(String value, Set<String> allowed, String name) {
        if (!allowed.contains(Objects.requireNonNullElse(value, ""))) {
            throw new IllegalArgumentException(name + " is \"" + value + "\"; expected one of " + allowed.stream().sorted().toList());
        }
    }

    private static int requireLimit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, not " + limit);
        }
        return limit;
    }
}
