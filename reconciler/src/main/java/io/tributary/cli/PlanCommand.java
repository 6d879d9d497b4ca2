package io.tributary.cli;

import io.tributary.cli.LiveApps.LiveApp;
import io.tributary.cli.PlanPreview.Known;
import io.tributary.cli.PlanPreview.Prior;
import io.tributary.cli.PlanPreview.Side;
import io.tributary.config.ConfigLoader;
import io.tributary.model.DesiredState;
import io.tributary.plan.SpecHash;
import io.tributary.source.Checkout;
import io.tributary.source.ConfigSource;
import io.tributary.source.Credentials;
import io.tributary.source.SourceException;
import io.tributary.source.SourceSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tributary plan}: what applying a revision would do, per application and managed cluster,
 * compared with another revision ({@code --base}) or with what a running service reports
 * ({@code --server}). Exit 0 when a plan was computed (changes or not), 1 when a revision is
 * invalid, 2 on a usage error or a revision or service that cannot be read.
 */
@Command(name = "plan", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Shows what applying a revision of the config repository would do: which applications are"
                + " created, upgraded (and how), suspended, resumed or deleted, and why; which managed clusters"
                + " start, stop or restart.%n"
                + "Compares --head with --base, or with what the service at --server runs.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:a plan was computed (with or without changes)", "1:a revision is invalid (its errors are printed)",
                "2:usage error, unknown revision, or the service could not be read"})
public final class PlanCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(PlanCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--repo", defaultValue = ".", paramLabel = "PATH|URL",
            description = "The config repository: a local path or a Git URL (default: .).")
    String repo;

    @Option(names = "--path", paramLabel = "DIR",
            description = "Folder inside the repository that holds the config (a monorepo's sub-folder).")
    String path;

    @Option(names = "--base", paramLabel = "REV",
            description = "The revision the head is compared with: a branch, tag, commit or revision name."
                    + " Required unless --server is given.")
    String base;

    @Option(names = "--head", paramLabel = "REV",
            description = "The revision to plan (default: the working tree of --repo when it is a folder,"
                    + " else its default branch).")
    String head;

    @Option(names = "--server", paramLabel = "URL",
            description = "Compare with what the Tributary service at URL runs (GET /api/v1/applications)"
                    + " instead of with --base.")
    String server;

    @Option(names = "--token", defaultValue = "${env:TRIBUTARY_TOKEN}", paramLabel = "TOKEN",
            description = "API token for --server, sent as a bearer token (default: $TRIBUTARY_TOKEN).")
    String token;

    @Option(names = "--format", defaultValue = "text", paramLabel = "FORMAT",
            description = "text (default), markdown (for a pull request comment) or json.")
    PlanFormat format;

    @Mixin
    GitAccess git;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Where the repository is cloned and revisions exported; kept for the next run"
                    + " (default: a temporary folder, deleted afterwards).")
    Path workDir;

    Clock clock = Clock.systemUTC();

    private ConfigLoader loader;

    /** A usage problem or an unreadable revision or service: printed, exit 2. */
    private static final class UsageError extends Exception {
        private static final long serialVersionUID = 1L;

        UsageError(String message) {
            super(message);
        }
    }

    /** A revision that does not load: its errors were printed, exit 1. */
    private static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (Sources sources = new Sources()) {
            PlanReport report = server == null ? compareRevisions(sources, out) : compareWithServer(sources, out);
            out.print(format.render(report));
            return 0;
        } catch (Invalid e) {
            return 1;
        } catch (UsageError e) {
            err.println("tributary plan: " + e.getMessage());
            return 2;
        } catch (SourceException e) {
            err.println("tributary plan: " + e.getMessage());
            return 2;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private PlanReport compareRevisions(Sources sources, PrintWriter out) throws UsageError, Invalid {
        if (base == null) {
            throw new UsageError("--base is required: name the revision to compare with (e.g. --base main),"
                    + " or give --server to compare with what a running service runs");
        }
        Side baseSide = load("base", sources.checkout(base), out);
        Side headSide = head(sources, out);
        return PlanPreview.compare(baseSide, headSide, clock.instant());
    }

    private PlanReport compareWithServer(Sources sources, PrintWriter out) throws UsageError, Invalid {
        if (base != null) {
            throw new UsageError("--base and --server exclude each other: with --server the head is compared with"
                    + " what the service runs");
        }
        Side headSide = head(sources, out);
        LiveApps live;
        try {
            live = LiveApps.fetch(server, token);
        } catch (LiveApps.Unavailable e) {
            throw new UsageError(e.getMessage());
        }
        Map<String, Optional<DesiredState>> revisions = new HashMap<>();
        headSide = withArtifacts(headSide, live.artifacts, LiveApps.Artifact::sha256);
        Function<String, Known> known = live.known(app -> deployedSpec(app, sources, revisions, live.artifacts));
        String baseLabel = live.server + live.appliedRevision.map(r -> " (applied " + r + ")").orElse("");
        return PlanPreview.live(baseLabel, live.server, headSide, live.observed(clock.instant()), known,
                clock.instant());
    }

    /**
     * The spec a live app's job was deployed with, read from the revision the service recorded,
     * when this repository has that revision and it gives the same spec hash.
     */
    /**
     * {@code side} with the jar digest the service gives each {@code jar.project} app (Git does not hold
     * it): so a head whose only change is a rebuilt jar plans "artifact changed".
     */
    private static Side withArtifacts(Side side, Map<String, LiveApps.Artifact> artifacts,
            Function<LiveApps.Artifact, String> which) {
        if (artifacts.isEmpty()) {
            return side;
        }
        java.util.List<io.tributary.model.Resource> resources = new java.util.ArrayList<>();
        for (io.tributary.model.Resource r : side.state().resources().values()) {
            LiveApps.Artifact a = r instanceof io.tributary.model.Application app
                    ? artifacts.get(app.id().qualifiedName()) : null;
            resources.add(a == null || which.apply(a) == null ? r
                    : ((io.tributary.model.Application) r).withProjectArtifact(which.apply(a)));
        }
        return new Side(side.label(), DesiredState.of(resources));
    }

    private Optional<Prior> deployedSpec(LiveApp live, Sources sources, Map<String, Optional<DesiredState>> revisions,
            Map<String, LiveApps.Artifact> artifacts) {
        if (live.revision() == null || live.specHash() == null) {
            return Optional.empty();
        }
        Optional<DesiredState> state = revisions.computeIfAbsent(live.revision(), revision -> {
            try {
                ConfigLoader.Result result = loader().load(sources.checkout(revision).root());
                return result.valid() ? Optional.of(result.state()) : Optional.empty();
            } catch (SourceException | UsageError e) {
                LOG.debug("cannot read the revision a job was deployed from revision={} error={}", revision,
                        e.getMessage());
                return Optional.empty();
            }
        });
        return state.map(s -> withArtifacts(new Side("deployed", s), artifacts, LiveApps.Artifact::runningSha256).state())
                .flatMap(s -> s.applications().stream()
                .filter(a -> a.id().qualifiedName().equals(live.app()))
                .filter(a -> SpecHash.of(a, s).equals(live.specHash()))
                .findFirst()
                .map(a -> new Prior(a, s)));
    }

    /** {@code --head}, else the working tree of a local {@code --repo}, else the repository's default branch. */
    private Side head(Sources sources, PrintWriter out) throws UsageError, Invalid {
        if (head != null) {
            return load("head", sources.checkout(head), out);
        }
        Path folder = Path.of(repo);
        if (Files.isDirectory(folder)) {
            Path root = path == null ? folder : folder.resolve(path);
            if (!Files.isDirectory(root)) {
                throw new UsageError("there is no folder '" + path + "' in " + repo + "; check --path");
            }
            String label = "working tree" + (path == null ? "" : " (" + path + ")");
            return load("head", label, root, out);
        }
        return load("head", sources.defaultBranch(), out);
    }

    private Side load(String which, Checkout checkout, PrintWriter out) throws Invalid {
        return load(which, checkout.revision().name(), checkout.root(), out);
    }

    private Side load(String which, String label, Path root, PrintWriter out) throws Invalid {
        ConfigLoader.Result result = loader().load(root);
        if (!result.valid()) {
            out.print(format.renderInvalid(which, label, result.errors()));
            throw new Invalid();
        }
        return new Side(label, result.state());
    }

    /** One loader for every revision of a run: its schemas are read once. */
    private ConfigLoader loader() {
        if (loader == null) {
            loader = new ConfigLoader();
        }
        return loader;
    }

    private Credentials credentials() throws UsageError {
        try {
            return git.credentials();
        } catch (SecretFiles.Unreadable e) {
            throw new UsageError(e.getMessage());
        }
    }

    /** The config source, opened on first use, and the temporary work folder it may need, removed at the end. */
    private final class Sources implements AutoCloseable {
        private ConfigSource source;
        private Path temporary;

        Checkout checkout(String revision) throws UsageError {
            return open().checkout(revision);
        }

        Checkout defaultBranch() throws UsageError {
            return open().fetch();
        }

        private ConfigSource open() throws UsageError {
            if (source == null) {
                SourceSpec sourceSpec;
                try {
                    sourceSpec = new SourceSpec(repo, null, path, credentials());
                } catch (IllegalArgumentException e) {
                    throw new UsageError(e.getMessage());
                }
                Path dir = workDir;
                if (dir == null) {
                    try {
                        temporary = Files.createTempDirectory("tributary-plan");
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot create a temporary folder", e);
                    }
                    dir = temporary;
                }
                source = ConfigSource.open(sourceSpec, dir, clock);
            }
            return source;
        }

        @Override
        public void close() {
            if (source != null) {
                source.close();
            }
            if (temporary != null) {
                deleteTree(temporary);
            }
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("could not delete the temporary folder {}: {}", dir, e.getMessage());
        }
    }
}
