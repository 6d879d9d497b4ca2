package io.tributary.server;

import io.tributary.apply.Reconciler;
import io.tributary.config.ConfigLoader;
import io.tributary.model.Application;
import io.tributary.model.DesiredState;
import io.tributary.plan.SpecDiff;
import io.tributary.plan.SpecHash;
import io.tributary.source.ConfigSource;
import io.tributary.source.SourceException;
import io.tributary.store.AppOverride;
import io.tributary.store.AppStatus;
import io.tributary.store.Deployment;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * "Git vs running" of one application, for its dashboard page and its API detail: Git's spec in the
 * applied revision against the spec of the revision its running job was deployed from, field by
 * field ({@link SpecDiff#appFields}). The deployed revision is read from the config source and kept
 * for the next requests ({@link Revisions}); when it can no longer be read the answer says so and
 * compares the spec hashes only.
 */
public final class GitVsRunning implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GitVsRunning.class);

    /**
     * What differs between Git and the running job.
     *
     * @param differs whether the next sync would change something about the job
     * @param gitRevision the applied revision, whose spec is Git's
     * @param runningRevision the revision the running (or last) job was deployed from
     * @param changes the fields that differ; empty when equal or not known (see {@code changesUnavailable})
     * @param changesPending the deployed revision is still being read: ask again in a moment
     * @param changesUnavailable why the fields are not listed although the hashes differ; null when they are
     */
    public record Drift(boolean differs, String gitRevision, String gitSpecHash, String runningRevision,
            String runningSpecHash, String explanation, List<SpecDiff.Change> changes, boolean changesPending,
            String changesUnavailable) {
        public Drift {
            changes = List.copyOf(changes);
        }
    }

    private final Reconciler reconciler;
    private final Revisions revisions;

    public GitVsRunning(Reconciler reconciler, ConfigSource source, ConfigLoader loader, Clock clock) {
        this.reconciler = reconciler;
        this.revisions = new Revisions(name -> read(source, loader, name), clock, Revisions.KEPT, Revisions.FIRST_WAIT);
    }

    /** The app's drift from what the store and the applied revision say now; {@code deployments} newest first. */
    public Drift of(String app, List<Deployment> deployments) {
        Optional<Reconciler.Loaded> loaded = reconciler.current();
        Optional<AppStatus> status = reconciler.store().status(app);
        Optional<AppOverride> override = reconciler.store().override(app);
        String runningHash = status.map(AppStatus::specHash).orElse(null);
        String runningRevision = status.map(AppStatus::revision).orElse(null);
        if (runningHash == null && !deployments.isEmpty()) {
            runningHash = deployments.get(0).specHash();
            runningRevision = deployments.get(0).revision();
        }
        // a job Flink ended (or no longer knows) is not running, though the store still names it
        String ended = status.filter(s -> s.jobId() != null).map(AppStatus::jobState).filter(ENDED::contains)
                .orElse(null);
        boolean jobRuns = status.map(AppStatus::jobId).isPresent() && ended == null;
        String hash = runningHash;
        boolean inGit = loaded.flatMap(l -> application(l.desired(), app)).isPresent();
        boolean prune = inGit || status.flatMap(reconciler::lastSpec).map(a -> a.spec().prune()).orElse(true);
        return compare(app, loaded, new Running(jobRuns, runningHash, runningRevision, prune, ended), override,
                revisions, (spec, state) -> DeployedArtifact.match(spec, state, hash, reconciler));
    }

    /** Job states of a job that no longer runs: Flink's terminal ones, and one its cluster no longer knows. */
    private static final java.util.Set<String> ENDED = java.util.Set.of("FAILED", "CANCELED", "FINISHED", "MISSING");

    /**
     * What the store says of the job: whether one runs, the spec hash and revision it was deployed with,
     * (for an app that left Git) whether that spec lets it be deleted ({@code prune}), and how the job the
     * store names ended, when it did ({@code FAILED}, ...; null otherwise).
     */
    record Running(boolean jobRuns, String specHash, String revision, boolean prune, String jobEnded) {
        Running(boolean jobRuns, String specHash, String revision) {
            this(jobRuns, specHash, revision, true, null);
        }
    }

    static Drift compare(String app, Optional<Reconciler.Loaded> loaded, Running running,
            Optional<AppOverride> override, Revisions revisions) {
        return compare(app, loaded, running, override, revisions, (spec, state) -> Optional.empty());
    }

    /**
     * @param asDeployed a {@code jar.project} app of the deployed revision with the digest of the jar its job
     *     runs (Git does not hold it), when that can be told
     */
    static Drift compare(String app, Optional<Reconciler.Loaded> loaded, Running running,
            Optional<AppOverride> override, Revisions revisions,
            java.util.function.BiFunction<Application, DesiredState, Optional<Application>> asDeployed) {
        String applied = loaded.map(l -> l.revision().name()).orElse(null);
        if (loaded.isEmpty()) {
            return new Drift(false, null, null, running.revision(), running.specHash(),
                    "No revision of the config source is applied yet, so there is no spec in Git to compare with;"
                            + " the sync page says why.", List.of(), false, null);
        }
        Optional<Application> spec = application(loaded.get().desired(), app);
        if (spec.isEmpty()) {
            return new Drift(running.prune(), applied, null, running.revision(), running.specHash(), running.prune()
                    ? "This application is no longer in Git; it is stopped with a final savepoint and deleted when"
                            + " pruning allows."
                    : "This application is no longer in Git, and the spec it ran says prune: false: its job is left"
                            + " as it is and its records are kept; declared again, it is managed again.",
                    List.of(), false, null);
        }
        DesiredState desired = loaded.get().desired();
        Application git = spec.get();
        String gitHash = SpecHash.of(git, desired);
        String wanted = git.spec().state().yamlName();
        if (!running.jobRuns()) {
            String why = override.map(AppOverride::pinnedState).filter("suspended"::equals).isPresent()
                    ? "An operator stopped it (see the override); Git wants it " + wanted + "."
                    : running.jobEnded() != null
                            ? "Its job " + ("MISSING".equals(running.jobEnded()) ? "is no longer known to its cluster"
                                    : "ended " + running.jobEnded()) + " and no job runs now; Git wants it " + wanted + "."
                            : "No job runs; Git wants it " + wanted + ".";
            return new Drift(git.spec().state() == Application.DesiredState.RUNNING, applied, gitHash,
                    running.revision(), running.specHash(), why, List.of(), false, null);
        }
        if (gitHash.equals(running.specHash())) {
            return new Drift(false, applied, gitHash, running.revision(), running.specHash(),
                    "The running job was deployed from the spec Git holds now.", List.of(), false, null);
        }
        String explanation = "The running job was deployed from "
                + (running.revision() == null ? "an earlier revision" : running.revision())
                + "; Git's spec changed since, so the next sync upgrades it the way its upgrade mode says"
                + (override.map(AppOverride::syncPaused).orElse(false) ? ", once syncing is resumed." : ".");
        if (running.revision() == null) {
            return new Drift(true, applied, gitHash, null, running.specHash(), explanation, List.of(), false,
                    "The store does not say which revision the job was deployed from, so only the spec hashes are"
                            + " compared.");
        }
        Read read = running.revision().equals(applied) ? new Read(Optional.of(desired), null, false)
                : revisions.get(running.revision());
        if (read.pending()) {
            return new Drift(true, applied, gitHash, running.revision(), running.specHash(), explanation, List.of(),
                    true, "Reading revision " + running.revision() + " to list the changed fields; reload in a"
                            + " moment.");
        }
        if (read.state().isEmpty()) {
            return new Drift(true, applied, gitHash, running.revision(), running.specHash(), explanation, List.of(),
                    false, read.problem() + " Only the spec hashes are compared.");
        }
        DesiredState deployedState = read.state().get();
        Optional<Application> deployed = application(deployedState, app)
                .map(a -> asDeployed.apply(a, deployedState).orElse(a));
        if (deployed.isEmpty() || !SpecHash.of(deployed.get(), deployedState).equals(running.specHash())) {
            return new Drift(true, applied, gitHash, running.revision(), running.specHash(), explanation, List.of(),
                    false, "Revision " + running.revision() + " as read now "
                            + (deployed.isEmpty() ? "does not declare this application"
                            : "gives this application another spec than the running job's (its hash differs)")
                            + ", so it cannot tell which fields changed. Only the spec hashes are compared.");
        }
        List<SpecDiff.Change> changes = SpecDiff.appFields(deployed.get(), deployedState, git, desired);
        return new Drift(true, applied, gitHash, running.revision(), running.specHash(), explanation, changes,
                false, changes.isEmpty() ? "The fields that shape the job read the same in both revisions; what"
                        + " differs is how they resolve (for example a default Flink version)." : null);
    }

    private static Optional<Application> application(DesiredState state, String app) {
        return state.applications().stream().filter(a -> a.id().qualifiedName().equals(app)).findFirst();
    }

    /** The desired state of {@code name} from the config source; a {@link Unreadable} when it cannot be had. */
    private static DesiredState read(ConfigSource source, ConfigLoader loader, String name) {
        try {
            ConfigLoader.Result result = loader.load(source.checkout(name).root());
            if (!result.valid()) {
                throw new Unreadable("Revision " + name + ", which the running job was deployed from, does not load"
                        + " any more (" + result.errors().size() + " errors; first: " + result.errors().get(0) + ").");
            }
            return result.state();
        } catch (SourceException e) {
            throw new Unreadable("Revision " + name + ", which the running job was deployed from, can no longer be"
                    + " read from the config source: " + e.getMessage() + ".");
        }
    }

    @Override
    public void close() {
        revisions.close();
    }

    /** A revision that cannot be read: the message says which and why, for the page. */
    static final class Unreadable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unreadable(String message) {
            super(message, null, false, false);
        }
    }

    /** A revision's state, or why there is none, or that it is still being read. */
    record Read(Optional<DesiredState> state, String problem, boolean pending) {}

    /** How a revision's desired state is read (slow: a checkout and a load). */
    @FunctionalInterface
    interface Reader {
        DesiredState read(String revision);
    }

    /**
     * The last few revisions read, by name, each read once on one background thread: the request that
     * asks first waits up to {@code firstWait} for it, later requests never wait (they answer "still
     * reading" until it is done). A revision that could not be read is tried again after
     * {@link #RETRY}, in case the source was only unreachable for a while.
     */
    static final class Revisions implements AutoCloseable {
        static final int KEPT = 4;
        static final Duration FIRST_WAIT = Duration.ofSeconds(3);
        static final Duration RETRY = Duration.ofMinutes(1);

        private record Entry(CompletableFuture<DesiredState> future, Instant startedAt) {}

        private final Reader reader;
        private final Clock clock;
        private final Duration firstWait;
        private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "tributary-revision-reader");
            t.setDaemon(true);
            return t;
        });
        private final Map<String, Entry> entries;

        Revisions(Reader reader, Clock clock, int kept, Duration firstWait) {
            this.reader = reader;
            this.clock = clock;
            this.firstWait = firstWait;
            this.entries = new LinkedHashMap<>(16, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                    return size() > kept;
                }
            };
        }

        Read get(String revision) {
            Entry entry;
            boolean first = false;
            synchronized (entries) {
                entry = entries.get(revision);
                if (entry != null && entry.future().isCompletedExceptionally()
                        && clock.instant().isAfter(entry.startedAt().plus(RETRY))) {
                    entry = null;
                }
                if (entry == null) {
                    entry = new Entry(CompletableFuture.supplyAsync(() -> timed(revision), executor), clock.instant());
                    entries.put(revision, entry);
                    first = true;
                }
            }
            try {
                DesiredState state = first ? entry.future().get(firstWait.toMillis(), TimeUnit.MILLISECONDS)
                        : entry.future().getNow(null);
                return state == null ? new Read(Optional.empty(), null, true) : new Read(Optional.of(state), null, false);
            } catch (TimeoutException e) {
                return new Read(Optional.empty(), null, true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Read(Optional.empty(), null, true);
            } catch (ExecutionException | java.util.concurrent.CompletionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                return new Read(Optional.empty(), cause instanceof Unreadable ? cause.getMessage()
                        : "Revision " + revision + " could not be read: " + cause + ".", false);
            }
        }

        private DesiredState timed(String revision) {
            long t0 = System.nanoTime();
            try {
                DesiredState state = reader.read(revision);
                LOG.info("deployed revision read revision={} resources={} tookMs={}", revision, state.size(),
                        (System.nanoTime() - t0) / 1_000_000);
                return state;
            } catch (Unreadable e) {
                LOG.info("deployed revision unreadable revision={} reason=\"{}\"", revision, e.getMessage());
                throw e;
            } catch (RuntimeException e) {
                LOG.warn("deployed revision unreadable revision={}", revision, e);
                throw e;
            }
        }

        @Override
        public void close() {
            executor.shutdownNow();
        }
    }
}
