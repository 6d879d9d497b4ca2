package io.tributary.build;

import io.tributary.model.Application;
import io.tributary.model.Credential;
import io.tributary.model.DesiredState;
import io.tributary.model.Kind;
import io.tributary.model.Project;
import io.tributary.model.Resource;
import io.tributary.model.ResourceId;
import io.tributary.model.Settings;
import io.tributary.model.Variable;
import io.tributary.secrets.SecretResolver;
import io.tributary.secrets.SecretUnavailable;
import io.tributary.source.Checkout;
import io.tributary.source.ConfigSource;
import io.tributary.source.Credentials;
import io.tributary.source.SourceException;
import io.tributary.source.SourceSpec;
import io.tributary.store.AppEvent;
import io.tributary.store.BuildRecord;
import io.tributary.store.BuildRecord.BuiltArtifact;
import io.tributary.store.BuildStore;
import io.tributary.store.Store;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds Projects: follows each project's Git ref (polled, or sooner on a webhook), builds a new
 * commit with Maven in a child process, keeps the jars apps name in the {@link ArtifactStore}, and
 * tells the reconciler which jar each {@code jar.project} app runs.
 *
 * <p>A build is keyed by (commit, build spec hash): a key that already has a succeeded build is not
 * built again. One build per project runs at a time, at most {@link Options#maxConcurrentBuilds}
 * overall. A failed build changes nothing that runs: apps keep the jar of the last good build and
 * show {@code Degraded} with the build's log, and a {@code build-failed} event is recorded for each.
 */
public final class ProjectBuilds implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProjectBuilds.class);
    /** The most log kept per build; the rest is cut with a note (Maven's own output is rarely near this). */
    private static final int MAX_LOG_CHARS = 4 * 1024 * 1024;
    private static final Duration LOG_FLUSH = Duration.ofMillis(500);
    private static final Duration RETENTION_EVERY = Duration.ofMinutes(10);
    /** Maven's framing of an error, not the error: the message shows the first line that says what is wrong. */
    private static final java.util.regex.Pattern GENERIC_ERROR = java.util.regex.Pattern.compile(
            "^$|^COMPILATION ERROR|^-> \\[Help|^To see the full stack trace|^Re-run Maven|^For more information"
                    + "|^\\[Help|^BUILD FAILURE");
    public static final String BUILD_FAILED = "build-failed";
    /** Maven's JVM options unless the service's environment sets {@code MAVEN_OPTS}. */
    static final String QUICK_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC";

    /**
     * @param pollInterval how often each project's ref is fetched
     * @param maxConcurrentBuilds builds running at once across projects
     * @param defaultTimeout a build without {@code spec.build.timeout} is stopped after this
     * @param retentionGrace an artifact no app uses is deleted only after this long unused
     * @param mavenArgs added to every Maven command line before the project's goals (e.g. {@code -o})
     */
    public record Options(Duration pollInterval, int maxConcurrentBuilds, Duration defaultTimeout,
            Duration retentionGrace, List<String> mavenArgs) {
        public Options {
            mavenArgs = List.copyOf(mavenArgs);
            if (maxConcurrentBuilds < 1) {
                throw new IllegalArgumentException("maxConcurrentBuilds must be at least 1");
            }
        }

        public static Options defaults(Duration pollInterval) {
            return new Options(pollInterval, 2, Duration.ofMinutes(30), Duration.ofDays(1), List.of());
        }
    }

    /** What the reconciler should know about one {@code jar.project} app besides its jar. */
    public record AppNote(Kind kind, String message, Long buildId) {
        public enum Kind {
            /** No jar was ever built for it: it cannot be deployed yet and nothing is done to it. */
            WAITING,
            /** No jar was ever built, and the latest build failed. */
            FAILED_NO_ARTIFACT,
            /** The latest build failed; the app keeps the jar of an earlier one. */
            FAILED_KEEPS_RUNNING,
            /** A newer build runs; the app keeps the jar of an earlier one until it is done. */
            BUILDING,
            /** The build of the project's current commit was canceled; the app keeps the jar of an earlier one. */
            CANCELED
        }

        /** Apps of this kind must not be acted on: they have no jar. */
        public boolean held() {
            return kind == Kind.WAITING || kind == Kind.FAILED_NO_ARTIFACT;
        }

        public boolean failed() {
            return kind == Kind.FAILED_NO_ARTIFACT || kind == Kind.FAILED_KEEPS_RUNNING;
        }
    }

    /** The desired state with every {@code jar.project} digest set that a build produced, and notes per app. */
    public record Resolution(DesiredState desired, Map<String, AppNote> notes) {
        public Resolution {
            notes = Map.copyOf(notes);
        }
    }

    /** What the dashboard streams: log lines of a running build, and builds that changed. */
    public interface Listener {
        void line(BuildRecord build, String line);

        void changed(BuildRecord build);
    }

    /** A project as the engine follows it, for pages and the API. */
    public record ProjectState(String project, String url, String ref, String revision, String fetchError,
            Instant lastFetch, Long runningBuild, List<String> artifacts, List<String> apps) {}

    private final Path dataDir;
    private final ArtifactStore artifacts;
    private final BuildStore builds;
    private final Store store;
    private final Function<DesiredState, MavenArtifacts> maven;
    private final MavenInstallation installation;
    private final Clock clock;
    private final Options options;
    private final Runnable onChange;
    private final Map<String, Tracked> projects = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService pollers = Executors.newSingleThreadExecutor(daemon("tributary-project-fetch"));
    private final ExecutorService builders;
    private volatile DesiredState lastDesired = DesiredState.of(List.of());
    private volatile boolean adopted;
    private volatile boolean closing;
    private volatile Instant nextRetention = Instant.MIN;

    /**
     * @param maven the Maven repositories of a revision's Settings: what a downloaded Maven comes from, and
     *     whose local repository builds use
     * @param onChange called when a build ends or a project's commit moves: the reconciler should run a pass
     */
    public ProjectBuilds(Path dataDir, ArtifactStore artifacts, BuildStore builds, Store store,
            Function<DesiredState, MavenArtifacts> maven, Clock clock, Options options, Runnable onChange) {
        this.dataDir = dataDir.toAbsolutePath();
        this.artifacts = artifacts;
        this.builds = builds;
        this.store = store;
        this.maven = maven;
        this.installation = new MavenInstallation(this.dataDir.resolve("maven"), Path.of(System.getProperty("user.home")));
        this.clock = clock;
        this.options = options;
        this.onChange = onChange;
        this.builders = Executors.newFixedThreadPool(options.maxConcurrentBuilds(), daemon("tributary-build"));
    }

    /**
     * Builds a stopped (or crashed) leader left queued or running are failed with this message, and are
     * built again by the next poll: unlike a build that failed on its own, they say nothing of the commit.
     */
    static final String INTERRUPTED = "the service stopped while this build ran; it is built again";

    /** On the first pass as leader: whoever ran the builds left unfinished is gone. */
    private void adoptUnfinished() {
        if (adopted) {
            return;
        }
        adopted = true;
        int stale = builds.failUnfinished(INTERRUPTED);
        if (stale > 0) {
            LOG.info("builds left unfinished by a stop marked failed count={}", stale);
        }
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    public ArtifactStore artifacts() {
        return artifacts;
    }

    public BuildStore store() {
        return builds;
    }

    // ---- what the reconciler asks every pass

    /**
     * Follows the Projects of {@code desired} (fetching those due in the background) and returns
     * {@code desired} with the digest of each {@code jar.project} app's jar: the one built from the
     * project's current commit when there is one, else the last one built (so a failed or running
     * build leaves the running job alone), else none (the app waits, see {@link AppNote}).
     */
    public Resolution resolve(DesiredState desired) {
        adoptUnfinished();
        lastDesired = desired;
        Map<String, List<Application>> users = usersByProject(desired);
        Set<String> declared = new HashSet<>();
        for (Project p : desired.all(Project.class)) {
            String key = p.id().qualifiedName();
            declared.add(key);
            Tracked t = projects.computeIfAbsent(key, k -> new Tracked(key));
            Set<String> added = t.update(p, buildSpecHash(p, desired.settings()), users.getOrDefault(key, List.of()));
            // an app that names a jar the builds so far were not asked for gets its build now, not at the next poll
            boolean newArtifact = !added.isEmpty() && t.head != null;
            if ((newArtifact || !clock.instant().isBefore(t.nextPoll)) && t.polling.compareAndSet(false, true)) {
                t.nextPoll = clock.instant().plus(options.pollInterval());
                String trigger = newArtifact ? "new artifact path " + String.join(", ", added) : null;
                pollers.submit(() -> poll(t, trigger));
            }
        }
        projects.keySet().removeIf(k -> {
            if (declared.contains(k)) {
                return false;
            }
            Tracked gone = projects.get(k);
            if (gone != null) {
                gone.close();
            }
            return true;
        });

        if (users.isEmpty()) {
            return new Resolution(desired, Map.of()); // no app uses a project: the state as it is
        }
        Map<String, BuildRecord> latest = builds.latestByProject();
        Map<String, AppNote> notes = new HashMap<>();
        Set<String> inUse = new HashSet<>();
        List<Resource> resolved = new ArrayList<>();
        Map<String, List<BuildRecord>> succeededByProject = new HashMap<>();
        for (Resource r : desired.resources().values()) {
            if (!(r instanceof Application app) || projectOf(app) == null) {
                resolved.add(r);
                continue;
            }
            Application.ProjectArtifact wanted = projectOf(app);
            String key = app.metadata().team() + "/" + wanted.name();
            Tracked t = projects.get(key);
            List<BuildRecord> succeeded = succeededByProject.computeIfAbsent(key, k -> builds.succeeded(k, 50));
            Optional<BuildRecord> current = t == null || t.head == null ? Optional.empty()
                    : succeeded.stream().filter(b -> b.commitId().equals(t.head.revision().id())
                            && b.specHash().equals(t.specHash) && hasArtifact(b, wanted.artifact())).findFirst();
            Optional<BuildRecord> lastGood = succeeded.stream().filter(b -> hasArtifact(b, wanted.artifact())).findFirst();
            Optional<BuildRecord> use = current.isPresent() ? current : lastGood;
            String sha = use.flatMap(b -> b.artifact(wanted.artifact())).map(BuiltArtifact::sha256).orElse(null);
            if (sha != null) {
                inUse.add(sha);
            }
            resolved.add(app.withProjectArtifact(sha));
            note(app, key, wanted, t, current.isPresent(), use, Optional.ofNullable(latest.get(key)))
                    .ifPresent(n -> notes.put(app.id().qualifiedName(), n));
        }
        // the newest good jar of every project stays, whoever uses it
        succeededByProject.values().forEach(list -> list.stream().findFirst()
                .ifPresent(b -> b.artifacts().forEach(a -> inUse.add(a.sha256()))));
        retainIfDue(inUse);
        return new Resolution(DesiredState.of(resolved), notes);
    }

    private Optional<AppNote> note(Application app, String key, Application.ProjectArtifact wanted, Tracked t,
            boolean upToDate, Optional<BuildRecord> used, Optional<BuildRecord> latest) {
        String project = "project " + key;
        if (t == null) {
            return Optional.of(new AppNote(AppNote.Kind.WAITING, project + " is not declared", null));
        }
        Optional<BuildRecord> latestFailed = latest.filter(b -> BuildRecord.FAILED.equals(b.status())
                && !INTERRUPTED.equals(b.message())
                && t.head != null && b.commitId().equals(t.head.revision().id()));
        Optional<BuildRecord> running = latest.filter(b -> !b.finished());
        Optional<BuildRecord> latestCanceled = latest.filter(b -> BuildRecord.CANCELED.equals(b.status())
                && t.head != null && b.commitId().equals(t.head.revision().id()));
        if (used.isEmpty()) {
            if (latestFailed.isPresent()) {
                BuildRecord b = latestFailed.get();
                return Optional.of(new AppNote(AppNote.Kind.FAILED_NO_ARTIFACT, "build #" + b.id() + " of " + project
                        + " failed: " + b.message() + "; log: " + logPath(b), b.id()));
            }
            if (t.fetchError != null) {
                // the error may name the project already ("project p/x spec.git.credentials: ...")
                String error = t.fetchError.startsWith(project + " ") ? t.fetchError.substring(project.length() + 1)
                        : t.fetchError;
                return Optional.of(new AppNote(AppNote.Kind.FAILED_NO_ARTIFACT, project + " cannot be fetched: "
                        + error, null));
            }
            String why = running.map(b -> "build #" + b.id() + " of " + project + " is " + b.status())
                    .or(() -> latestCanceled.map(b -> "build #" + b.id() + " of " + project + " was " + b.message()
                            + " (Build now builds it again)"))
                    .orElse(t.head == null ? "fetching " + project : "waiting for a build of " + project);
            return Optional.of(new AppNote(AppNote.Kind.WAITING, why + "; the app is deployed once it has produced "
                    + wanted.artifact(), running.map(BuildRecord::id).orElse(null)));
        }
        if (upToDate) {
            return Optional.empty();
        }
        if (latestFailed.isPresent()) {
            BuildRecord b = latestFailed.get();
            return Optional.of(new AppNote(AppNote.Kind.FAILED_KEEPS_RUNNING, "build #" + b.id() + " of " + project
                    + " failed: " + b.message() + "; the job keeps the jar of build #" + used.get().id() + "; log: "
                    + logPath(b), b.id()));
        }
        if (running.isPresent()) {
            BuildRecord b = running.get();
            return Optional.of(new AppNote(AppNote.Kind.BUILDING, "build #" + b.id() + " of " + project + " is "
                    + b.status() + "; the job keeps the jar of build #" + used.get().id() + " meanwhile", b.id()));
        }
        if (latestCanceled.isPresent()) {
            BuildRecord b = latestCanceled.get();
            return Optional.of(new AppNote(AppNote.Kind.CANCELED, "build #" + b.id() + " of " + project + " at "
                    + t.head.revision().shortName() + " was " + b.message() + "; the job keeps the jar of build #"
                    + used.get().id() + " until Build now builds that commit", b.id()));
        }
        return Optional.empty();
    }

    /**
     * The digests of the jar at {@code artifact.artifact()} that the project's succeeded builds produced,
     * newest first: the candidates for which jar a running job was deployed with.
     */
    public List<String> builtDigests(String team, Application.ProjectArtifact artifact) {
        Set<String> out = new LinkedHashSet<>();
        for (BuildRecord b : builds.succeeded(team + "/" + artifact.name(), 50)) {
            b.artifact(artifact.artifact()).ifPresent(a -> out.add(a.sha256()));
        }
        return List.copyOf(out);
    }

    /** Where the dashboard shows a build and its log. */
    public static String logPath(BuildRecord b) {
        return "/projects/" + b.project() + "/builds/" + b.id();
    }

    private boolean hasArtifact(BuildRecord b, String path) {
        return b.artifact(path).filter(a -> artifacts.has(a.sha256())).isPresent();
    }

    private static Application.ProjectArtifact projectOf(Application app) {
        Application.Jar jar = app.spec().job().jar();
        return jar == null ? null : jar.project();
    }

    private static Map<String, List<Application>> usersByProject(DesiredState desired) {
        Map<String, List<Application>> users = new HashMap<>();
        for (Application app : desired.applications()) {
            Application.ProjectArtifact p = projectOf(app);
            if (p != null) {
                users.computeIfAbsent(app.metadata().team() + "/" + p.name(), k -> new ArrayList<>()).add(app);
            }
        }
        return users;
    }

    /**
     * The build spec's digest: goals, POM and tool, and the Maven repositories, mirrors and
     * settings file of Settings (references only, never secrets). A change rebuilds the same commit.
     */
    static String buildSpecHash(Project p, Optional<Settings> settings) {
        Project.Build b = p.spec().build() == null ? new Project.Build(null, null, null, null) : p.spec().build();
        Settings.Maven m = settings.map(s -> s.spec().maven()).orElse(null);
        StringBuilder text = new StringBuilder();
        text.append("tool=").append(b.tool()).append('\n').append("pom=").append(b.pom()).append('\n');
        text.append("goals=").append(String.join("\u0000", b.goals())).append('\n');
        if (m != null) {
            m.repositories().forEach(r -> text.append("repo=").append(r.id()).append(' ').append(r.url()).append(' ')
                    .append(r.credentials()).append('\n'));
            m.mirrors().forEach(r -> text.append("mirror=").append(r.id()).append(' ').append(r.url()).append(' ')
                    .append(r.mirrorOf()).append('\n'));
            text.append("settingsXml=").append(m.settingsXml()).append('\n');
        }
        return Digests.sha256(text.toString());
    }

    // ---- triggers

    /**
     * A push to {@code url} (a webhook): fetch the projects built from it now whose ref the push moved
     * (a project that follows the remote's default branch counts any push). Returns how many.
     */
    public int pushed(String url, Predicate<String> moved) {
        int n = 0;
        for (Tracked t : projects.values()) {
            Project p = t.project;
            if (p != null && sameRepository(p.spec().git().url(), url)
                    && (p.spec().git().ref() == null || moved.test(p.spec().git().ref()))) {
                n++;
                if (t.polling.compareAndSet(false, true)) {
                    t.nextPoll = clock.instant().plus(options.pollInterval());
                    pollers.submit(() -> poll(t, null));
                } else {
                    t.nextPoll = Instant.MIN;
                }
            }
        }
        return n;
    }

    /**
     * A build asked for by a person: fetches the project's ref, then builds it, or records a build
     * that reuses the artifacts of an earlier one with the same key without running Maven.
     *
     * @return the build's id
     * @throws IllegalArgumentException when no such project is declared
     * @throws IllegalStateException when the project cannot be fetched
     */
    public long request(String project, String actor) {
        Tracked t = projects.get(project);
        if (t == null || t.project == null) {
            throw new IllegalArgumentException("there is no project " + project + " in the applied revision");
        }
        Checkout head;
        synchronized (t.fetchLock) {
            head = fetch(t);
        }
        if (head == null) {
            throw new IllegalStateException("project " + project + " cannot be fetched: " + t.fetchError);
        }
        return startOrReuse(t, head, "requested by " + actor, true).orElseThrow();
    }

    /** Stops a queued or running build at {@code actor}'s request; false when it is not running here. */
    public boolean cancel(long buildId, String actor) {
        for (Tracked t : projects.values()) {
            Running r = t.running;
            if (r != null && r.id == buildId) {
                r.cancel(actor);
                return true;
            }
        }
        return false;
    }

    /** The projects followed now, by {@code team/name}. */
    public List<ProjectState> projects() {
        List<ProjectState> out = new ArrayList<>();
        for (Tracked t : new TreeSet<>(projects.keySet()).stream().map(projects::get).filter(Objects::nonNull).toList()) {
            if (t.project == null) {
                continue;
            }
            Running r = t.running;
            out.add(new ProjectState(t.key, t.project.spec().git().url(), t.project.spec().git().ref(),
                    t.head == null ? null : t.head.revision().name(), t.fetchError, t.lastFetch,
                    r == null ? null : r.id, List.copyOf(t.paths), t.apps));
        }
        return out;
    }

    public Optional<ProjectState> project(String key) {
        return projects().stream().filter(p -> p.project().equals(key)).findFirst();
    }

    // ---- fetching

    private void poll(Tracked t, String trigger) {
        try {
            Checkout head;
            synchronized (t.fetchLock) {
                head = fetch(t);
            }
            if (head != null) {
                startOrReuse(t, head, trigger == null ? "commit " + head.revision().shortName() : trigger, false);
            }
        } catch (RuntimeException e) {
            LOG.error("project={} poll failed", t.key, e);
        } finally {
            t.polling.set(false);
        }
    }

    /** Fetches the ref; null (and {@code fetchError} set) when it cannot. */
    private Checkout fetch(Tracked t) {
        Project p = t.project;
        try {
            ConfigSource source = t.source(p, secrets(p, lastDesired), dataDir.resolve("projects").resolve(t.key));
            Checkout head = source.fetch();
            Checkout before = t.head;
            t.head = head;
            t.fetchError = null;
            t.lastFetch = clock.instant();
            if (before == null || !before.revision().id().equals(head.revision().id())) {
                LOG.info("project={} revision={} message=\"{}\"", t.key, head.revision().name(), head.revision().message());
                if (before != null) {
                    onChange.run();
                }
            }
            return head;
        } catch (RuntimeException e) {
            // whatever stops the fetch (a remote that does not exist, a missing secret, a JGit failure) is the
            // project's error on the projects page and in the API, not only a line in the service log
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (!Objects.equals(t.fetchError, message)) {
                LOG.warn("project={} fetch failed: {}", t.key, message);
            }
            t.fetchError = message;
            t.lastFetch = clock.instant();
            return null;
        }
    }

    /** Credentials of a project's Git source: a token for http(s), a private key file for ssh. */
    private static Credentials secrets(Project p, DesiredState desired) {
        Credential c = p.spec().git().credentials();
        if (c == null) {
            return new Credentials.None();
        }
        String team = p.metadata().team();
        SecretResolver resolver = new SecretResolver(System::getenv, name -> {
            Optional<Resource> own = desired.get(new ResourceId(Kind.VARIABLE, team, name));
            return (Variable) own.or(() -> desired.get(new ResourceId(Kind.VARIABLE, null, name))).orElse(null);
        });
        String url = p.spec().git().url().toLowerCase(Locale.ROOT);
        String usedBy = "project " + p.id().qualifiedName() + " spec.git.credentials";
        boolean ssh = url.startsWith("ssh://") || (!url.contains("://") && url.contains("@") && url.contains(":"));
        if (ssh) {
            if (c.secret() != null && c.secret().file() != null) {
                return new Credentials.SshKey(Path.of(c.secret().file()), null, null);
            }
            throw new SecretUnavailable(usedBy + ": an ssh URL needs the private key as {secret: {file: /path/to/key}}");
        }
        return new Credentials.Token(resolver.resolve(c, usedBy));
    }

    /**
     * Whether a push naming {@code pushed} (a URL, or a path such as {@code acme/jobs} when the provider
     * gives none) is about the repository at {@code projectUrl}.
     */
    static boolean sameRepository(String projectUrl, String pushed) {
        String project = normalizeUrl(projectUrl);
        String other = normalizeUrl(pushed);
        if (other.isEmpty()) {
            return false;
        }
        return project.equals(other) || (!other.contains(".") || !other.contains("/"))
                && project.endsWith("/" + other);
    }

    static String normalizeUrl(String url) {
        String u = url.strip().toLowerCase(Locale.ROOT);
        u = u.replaceFirst("^[a-z+]+://", "").replaceFirst("^[^@/]*@", "").replace(':', '/');
        u = u.replaceAll("/+$", "");
        return u.endsWith(".git") ? u.substring(0, u.length() - 4) : u;
    }

    // ---- building

    /**
     * Starts a build of {@code head} unless its key has a succeeded build with the jars apps use (then a
     * person's request records a reuse), a build of it runs, or (automatic only) it failed before.
     */
    private Optional<Long> startOrReuse(Tracked t, Checkout head, String trigger, boolean requested) {
        Running started;
        BuildRecord record;
        synchronized (t) {
            String commit = head.revision().id();
            Set<String> paths = Set.copyOf(t.paths);
            Running running = t.running;
            if (running != null) {
                if (running.commit.equals(commit) && running.specHash.equals(t.specHash)) {
                    return Optional.of(running.id);
                }
                t.again = true;
                return requested ? Optional.of(running.id) : Optional.empty();
            }
            Optional<BuildRecord> done = builds.succeeded(t.key, commit, t.specHash)
                    .filter(b -> paths.stream().allMatch(path -> hasArtifact(b, path)));
            if (done.isPresent()) {
                if (!requested) {
                    return Optional.of(done.get().id());
                }
                BuildRecord reused = builds.create(t.key, commit, head.revision().name(), t.specHash,
                        BuildRecord.SUCCEEDED, trigger, done.get().id(), paths);
                builds.appendLog(reused.id(), "Commit " + head.revision().name() + " was built with the same build spec by"
                        + " build #" + done.get().id() + "; its artifacts are reused and Maven does not run.\n");
                builds.finished(reused.id(), BuildRecord.SUCCEEDED, "reused the artifacts of build #" + done.get().id(),
                        done.get().artifacts());
                LOG.info("project={} build={} revision={} reused={}", t.key, reused.id(), head.revision().name(),
                        done.get().id());
                builds.build(reused.id()).ifPresent(this::changed);
                return Optional.of(reused.id());
            }
            if (!requested && paths.isEmpty()) {
                return Optional.empty(); // no app uses the project: nothing to build for
            }
            if (!requested) {
                Optional<BuildRecord> tried = builds.builds(t.key, 20).stream()
                        .filter(b -> b.commitId().equals(commit) && b.specHash().equals(t.specHash))
                        .filter(b -> b.wanted() == null || b.wanted().containsAll(paths))
                        .filter(b -> !INTERRUPTED.equals(b.message())).findFirst();
                if (tried.isPresent()) {
                    return Optional.empty(); // failed or canceled before: a push or a person builds it again
                }
            }
            record = builds.create(t.key, commit, head.revision().name(), t.specHash, BuildRecord.QUEUED, trigger, null,
                    paths);
            started = new Running(record.id(), commit, t.specHash);
            t.running = started;
        }
        Project project = t.project;
        DesiredState desired = lastDesired;
        Set<String> paths = Set.copyOf(t.paths);
        List<Application> apps = t.users;
        LOG.info("project={} build={} revision={} queued trigger=\"{}\"", t.key, record.id(), head.revision().name(), trigger);
        changed(record);
        builders.submit(() -> run(t, started, record, head, project, desired, paths, apps));
        return Optional.of(record.id());
    }

    private void run(Tracked t, Running running, BuildRecord queued, Checkout head, Project project,
            DesiredState desired, Set<String> paths, List<Application> apps) {
        Path work = dataDir.resolve("builds").resolve(String.valueOf(queued.id()));
        LogSink log = new LogSink(queued, work.resolve("src"));
        String status = BuildRecord.FAILED;
        String message;
        List<BuiltArtifact> produced = new ArrayList<>();
        try {
            if (running.canceled) {
                throw new Canceled();
            }
            builds.started(queued.id());
            builds.build(queued.id()).ifPresent(this::changed);
            log.line("Building " + t.key + " at " + head.revision().name()
                    + (head.revision().message() == null ? "" : " (" + head.revision().message() + ")"));
            copyTree(head.root(), work.resolve("src"));
            Path src = work.resolve("src");
            MavenArtifacts repositories = maven.apply(desired);
            List<String> command = new ArrayList<>(installation.command(src, repositories));
            command.add("-B");
            command.add("-Dstyle.color=never");
            command.add("-Dmaven.repo.local=" + repositories.localRepository());
            Project.Build build = project.spec().build() == null ? new Project.Build(null, null, null, null)
                    : project.spec().build();
            command.add("-f");
            command.add(build.pom());
            command.addAll(MavenSettingsFiles.write(desired.settings(), work, SecretResolver.of(desired)));
            command.addAll(options.mavenArgs());
            command.addAll(build.goals());
            Duration timeout = build.timeout() != null ? build.timeout().duration() : options.defaultTimeout();
            log.line("$ " + String.join(" ", command.stream().map(ProjectBuilds::shortPath).toList()));
            Map<String, String> env = new HashMap<>();
            env.put("JAVA_HOME", System.getProperty("java.home"));
            if (System.getenv("MAVEN_OPTS") == null) {
                env.put("MAVEN_OPTS", QUICK_JVM); // a build is short: a JVM that starts fast beats one that peaks late
            }
            MavenRun mvn = new MavenRun(command, src, env);
            running.run = mvn;
            if (running.canceled) {
                throw new Canceled();
            }
            long t0 = System.nanoTime();
            MavenRun.Result result = mvn.run(timeout, log::line);
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            switch (result.outcome()) {
                case SUCCEEDED -> {
                    for (String path : new TreeSet<>(paths)) {
                        Path file = find(src, path);
                        String sha = artifacts.put(file);
                        produced.add(new BuiltArtifact(path, sha, Files.size(file)));
                        log.line("Artifact " + path + " sha256:" + sha + " (" + MavenArtifacts.humanSize(Files.size(file)) + ")");
                    }
                    status = BuildRecord.SUCCEEDED;
                    message = "built " + produced.size() + " artifact(s) in " + took.toSeconds() + "s";
                }
                case CANCELED -> throw new Canceled();
                case TIMED_OUT -> message = "stopped after the time limit of " + human(timeout)
                        + "; raise spec.build.timeout if the build needs longer";
                default -> message = "Maven exited with " + result.exitCode() + log.firstError().map(e -> ": " + e).orElse("");
            }
        } catch (Canceled e) {
            status = closing ? BuildRecord.FAILED : BuildRecord.CANCELED;
            message = closing ? INTERRUPTED : "canceled by " + running.canceledBy;
        } catch (SecretUnavailable | SourceException | ArtifactNotProduced | ArtifactResolutionFailure e) {
            message = e.getMessage();
        } catch (IOException | RuntimeException e) {
            LOG.error("project={} build={} failed unexpectedly", t.key, queued.id(), e);
            message = e.getClass().getSimpleName() + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            message = INTERRUPTED;
        }
        log.line(status.equals(BuildRecord.SUCCEEDED) ? "Build succeeded: " + message : "Build " + status + ": " + message);
        log.flush();
        builds.finished(queued.id(), status, message, produced);
        MavenInstallation.deleteTree(work);
        LOG.info("project={} build={} revision={} status={} message=\"{}\"", t.key, queued.id(), head.revision().name(),
                status, message);
        BuildRecord done = builds.build(queued.id()).orElseThrow();
        if (BuildRecord.FAILED.equals(status) && !INTERRUPTED.equals(message)) {
            for (Application app : apps) {
                store.event(new AppEvent(0, clock.instant(), app.id().qualifiedName(), BUILD_FAILED, "error",
                        "build #" + done.id() + " of project " + t.key + " at " + head.revision().shortName() + " failed: "
                                + message + "; the running job is not touched; log: " + logPath(done),
                        head.revision().name()));
            }
        }
        boolean again;
        synchronized (t) {
            t.running = null;
            again = t.again;
            t.again = false;
        }
        changed(done);
        onChange.run();
        if (again) {
            t.nextPoll = Instant.MIN; // a newer commit arrived while this one built
            onChange.run();
        }
    }

    /** The jar at {@code path} (a file name may hold {@code *}: exactly one file must match). */
    static Path find(Path root, String path) throws IOException {
        Path exact = root.resolve(path).normalize();
        if (!exact.startsWith(root)) {
            throw new ArtifactNotProduced("artifact " + path + " leaves the repository");
        }
        if (!path.contains("*")) {
            if (Files.isRegularFile(exact)) {
                return exact;
            }
            throw new ArtifactNotProduced("the build produced no " + path + hint(root, exact.getParent()));
        }
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + path);
        Path dir = exact.getParent();
        List<Path> found = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(f -> Files.isRegularFile(f) && matcher.matches(root.relativize(f))).forEach(found::add);
            }
        }
        if (found.size() != 1) {
            throw new ArtifactNotProduced(path + " matches " + (found.isEmpty() ? "no file" : found.size()
                    + " files (" + found.stream().map(f -> f.getFileName().toString()).sorted().toList() + ")")
                    + "; it must match exactly one" + hint(root, dir));
        }
        return found.get(0);
    }

    private static String hint(Path root, Path dir) throws IOException {
        if (dir == null || !Files.isDirectory(dir)) {
            return "";
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<String> jars = files.map(f -> root.relativize(f).toString()).filter(n -> n.endsWith(".jar")).sorted().toList();
            return jars.isEmpty() ? "" : "; jars there: " + String.join(", ", jars);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isSymbolicLink(p)) {
                    Files.createDirectories(target.getParent());
                    Files.createSymbolicLink(target, Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private void retainIfDue(Set<String> inUse) {
        Instant now = clock.instant();
        if (now.isBefore(nextRetention)) {
            return;
        }
        nextRetention = now.plus(RETENTION_EVERY);
        Set<String> managed = builds.artifactDigests();
        pollers.submit(() -> artifacts.retain(managed, inUse, options.retentionGrace()));
    }

    private void changed(BuildRecord b) {
        for (Listener l : listeners) {
            try {
                l.changed(b);
            } catch (RuntimeException e) {
                LOG.debug("build listener failed: {}", e.getMessage());
            }
        }
    }

    private static String shortPath(String arg) {
        String home = System.getProperty("user.home");
        return home != null && arg.contains(home) ? arg.replace(home, "~") : arg;
    }

    private static String human(Duration d) {
        return d.toSeconds() % 60 == 0 ? d.toMinutes() + "m" : d.toSeconds() + "s";
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void close() {
        closing = true;
        for (Tracked t : projects.values()) {
            Running r = t.running;
            if (r != null) {
                r.cancel("the service stopping");
            }
        }
        pollers.shutdownNow();
        builders.shutdown();
        try {
            builders.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        builders.shutdownNow();
        projects.values().forEach(Tracked::close);
    }

    // ---- state

    private static final class Tracked {
        final String key;
        final Object fetchLock = new Object();
        final java.util.concurrent.atomic.AtomicBoolean polling = new java.util.concurrent.atomic.AtomicBoolean();
        volatile Project project;
        volatile String specHash;
        volatile Set<String> paths = Set.of();
        volatile List<Application> users = List.of();
        volatile List<String> apps = List.of();
        volatile Checkout head;
        volatile String fetchError;
        volatile Instant lastFetch;
        volatile Instant nextPoll = Instant.MIN;
        volatile Running running;
        boolean again;
        private ConfigSource source;
        private String sourceKey;

        Tracked(String key) {
            this.key = key;
        }

        /** Takes the project's spec and the apps using it; returns the artifact paths no app named before. */
        Set<String> update(Project p, String hash, List<Application> using) {
            project = p;
            specHash = hash;
            Set<String> wanted = new TreeSet<>();
            using.forEach(a -> wanted.add(projectOf(a).artifact()));
            Set<String> added = new TreeSet<>(wanted);
            added.removeAll(paths);
            paths = Set.copyOf(wanted);
            users = List.copyOf(using);
            apps = using.stream().map(a -> a.id().qualifiedName()).sorted().toList();
            return added;
        }

        synchronized ConfigSource source(Project p, Credentials credentials, Path workDir) {
            String k = p.spec().git().url() + "\n" + p.spec().git().ref() + "\n" + credentials;
            if (source == null || !k.equals(sourceKey)) {
                if (source != null) {
                    source.close();
                }
                source = ConfigSource.open(new SourceSpec(p.spec().git().url(), p.spec().git().ref(), null, credentials),
                        workDir);
                sourceKey = k;
                head = null;
            }
            return source;
        }

        synchronized void close() {
            if (source != null) {
                source.close();
                source = null;
            }
        }
    }

    private static final class Running {
        final long id;
        final String commit;
        final String specHash;
        volatile boolean canceled;
        volatile String canceledBy;
        volatile MavenRun run;

        Running(long id, String commit, String specHash) {
            this.id = id;
            this.commit = commit;
            this.specHash = specHash;
        }

        void cancel(String actor) {
            canceledBy = actor;
            canceled = true;
            MavenRun r = run;
            if (r != null) {
                r.cancel();
            }
        }
    }

    /** Lines to listeners at once, to the store in batches. */
    private final class LogSink {
        private final BuildRecord build;
        private final StringBuilder pending = new StringBuilder();
        private long stored;
        private long lastFlush = System.nanoTime();
        private String firstError;
        private boolean cut;
        private final String workPrefix;

        LogSink(BuildRecord build, Path src) {
            this.build = build;
            this.workPrefix = src.toString() + "/";
        }

        synchronized void line(String line) {
            if (firstError == null && line.startsWith("[ERROR]")) {
                String text = line.substring(7).strip();
                if (!GENERIC_ERROR.matcher(text).find()) {
                    firstError = text.replace(workPrefix, "");
                }
            }
            for (Listener l : listeners) {
                try {
                    l.line(build, line);
                } catch (RuntimeException e) {
                    LOG.debug("build listener failed: {}", e.getMessage());
                }
            }
            if (stored + pending.length() > MAX_LOG_CHARS) {
                if (!cut) {
                    pending.append("... (log cut at ").append(MAX_LOG_CHARS / (1024 * 1024)).append(" MB)\n");
                    cut = true;
                }
            } else {
                pending.append(line).append('\n');
            }
            if (System.nanoTime() - lastFlush > LOG_FLUSH.toNanos() || pending.length() > 64 * 1024) {
                flush();
            }
        }

        synchronized void flush() {
            if (pending.length() > 0) {
                builds.appendLog(build.id(), pending.toString());
                stored += pending.length();
                pending.setLength(0);
            }
            lastFlush = System.nanoTime();
        }

        synchronized Optional<String> firstError() {
            return Optional.ofNullable(firstError).map(e -> e.length() > 300 ? e.substring(0, 300) + "..." : e);
        }
    }

    private static final class Canceled extends Exception {
        private static final long serialVersionUID = 1L;
    }

    /** The build ran but the jar an app names is not where it says. */
    static final class ArtifactNotProduced extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ArtifactNotProduced(String message) {
            super(message);
        }
    }

    /** For tests and pages: the apps per project, as resolved last. */
    Map<String, List<String>> appsByProject() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        projects.forEach((k, t) -> out.put(k, t.apps));
        return out;
    }
}
