package io.tributary.build;

import io.tributary.model.Settings;
import io.tributary.secrets.SecretResolver;
import io.tributary.secrets.SecretUnavailable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.eclipse.aether.ConfigurationProperties;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession;
import org.eclipse.aether.RepositorySystemSession.CloseableSession;
import org.eclipse.aether.artifact.Artifact;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.collection.CollectRequest;
import org.eclipse.aether.collection.CollectResult;
import org.eclipse.aether.collection.DependencyCollectionException;
import org.eclipse.aether.graph.DependencyFilter;
import org.eclipse.aether.graph.DependencyNode;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.repository.RepositoryPolicy;
import org.eclipse.aether.resolution.ArtifactDescriptorException;
import org.eclipse.aether.resolution.ArtifactRequest;
import org.eclipse.aether.resolution.ArtifactResolutionException;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.resolution.DependencyRequest;
import org.eclipse.aether.resolution.DependencyResolutionException;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.eclipse.aether.supplier.SessionBuilderSupplier;
import org.eclipse.aether.transfer.AbstractTransferListener;
import org.eclipse.aether.transfer.ArtifactTransferException;
import org.eclipse.aether.transfer.TransferEvent;
import org.eclipse.aether.util.artifact.JavaScopes;
import org.eclipse.aether.util.filter.DependencyFilterUtils;
import org.eclipse.aether.util.repository.AuthenticationBuilder;
import org.eclipse.aether.util.repository.DefaultMirrorSelector;
import org.eclipse.aether.util.repository.SimpleResolutionErrorPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves Maven coordinates to files in a local repository, with maven-resolver and Maven 3's
 * rules for scopes, optional dependencies and version conflicts, so a set of jars comes out as a
 * Maven build of a project depending on them would see it at run time.
 *
 * <p>Thread-safe; one instance holds one repository system, so close it when done.
 */
public final class MavenArtifacts implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MavenArtifacts.class);

    /** Maven Central under Maven's own id, so what Maven itself downloaded counts as already there. */
    public static final Repository MAVEN_CENTRAL = new Repository("central", "https://repo.maven.apache.org/maven2");

    /**
     * A remote repository; credentials are optional and never printed. With a username they are
     * sent as HTTP basic authentication; a password without a username is a token, sent as
     * {@code Authorization: Bearer}.
     */
    public record Repository(String id, String url, String username, String password) {
        public Repository {
            requireText(id, "repository id");
            requireText(url, "repository url");
        }

        public Repository(String id, String url) {
            this(id, url, null, null);
        }

        @Override
        public String toString() {
            return id + " (" + url + ")";
        }
    }

    /** A mirror as in Maven's settings.xml: {@code mirrorOf} is {@code *}, ids, {@code external:*}, {@code !id}. */
    public record Mirror(String id, String url, String mirrorOf) {
        public Mirror {
            requireText(id, "mirror id");
            requireText(url, "mirror url");
            requireText(mirrorOf, "mirrorOf");
        }
    }

    /**
     * Maven 3's session already leaves out test, provided and optional dependencies below the roots;
     * this keeps what a runtime class path holds (compile + runtime).
     */
    private static final DependencyFilter RUNTIME_CLASS_PATH = DependencyFilterUtils.classpathFilter(JavaScopes.RUNTIME);

    private final RepositorySystem system;
    private final Path localRepository;
    private final List<Repository> given;
    private final List<RemoteRepository> repositories;
    private final DefaultMirrorSelector mirrors;

    /** Maven Central only. */
    public MavenArtifacts(Path localRepository) {
        this(localRepository, List.of(MAVEN_CENTRAL), List.of());
    }

    /** The given repositories in order (Maven Central when the list is empty, as Settings documents), then mirrors. */
    public MavenArtifacts(Path localRepository, List<Repository> repositories, List<Mirror> mirrors) {
        this.localRepository = localRepository.toAbsolutePath();
        this.given = repositories.isEmpty() ? List.of(MAVEN_CENTRAL) : List.copyOf(repositories);
        this.repositories = given.stream().map(MavenArtifacts::remote).toList();
        this.mirrors = new DefaultMirrorSelector();
        for (Mirror m : mirrors) {
            this.mirrors.add(m.id(), m.url(), "default", false, false, m.mirrorOf(), "");
        }
        this.system = new RepositorySystemSupplier().get();
    }

    /**
     * The repositories and mirrors of a config repository's Settings ({@code spec.maven}); Maven
     * Central when there are none. Credentials are read here, through {@code secrets}: a secret of
     * the form {@code user:password} is sent as basic authentication, any other value as a bearer
     * token.
     *
     * @throws SecretUnavailable naming the environment variable or file of a credential that cannot be read
     */
    public static MavenArtifacts forSettings(Optional<Settings> settings, Path localRepository, SecretResolver secrets) {
        Settings.Maven maven = settings.map(s -> s.spec().maven()).orElse(null);
        if (maven == null) {
            return new MavenArtifacts(localRepository);
        }
        String owner = "Settings \"" + settings.get().metadata().name() + "\" spec.maven";
        List<Repository> repositories = new ArrayList<>();
        for (Settings.Repository r : maven.repositories()) {
            if (r.credentials() == null) {
                repositories.add(new Repository(r.id(), r.url()));
                continue;
            }
            String secret = secrets.resolve(r.credentials(), owner + ".repositories[" + r.id() + "].credentials");
            int colon = secret.indexOf(':');
            repositories.add(colon > 0
                    ? new Repository(r.id(), r.url(), secret.substring(0, colon), secret.substring(colon + 1))
                    : new Repository(r.id(), r.url(), null, secret));
        }
        List<Mirror> mirrors = maven.mirrors().stream().map(m -> new Mirror(m.id(), m.url(), m.mirrorOf())).toList();
        if (maven.settingsXml() != null) {
            LOG.warn("{}.settingsXml={} is not read yet: only repositories and mirrors of Settings are used", owner,
                    maven.settingsXml());
        }
        LOG.info("maven repositories={} mirrors={}", repositories.isEmpty() ? List.of(MAVEN_CENTRAL) : repositories,
                mirrors.stream().map(m -> m.id() + " (" + m.url() + ", mirror of " + m.mirrorOf() + ")").toList());
        return new MavenArtifacts(localRepository, repositories, mirrors);
    }

    public Path localRepository() {
        return localRepository;
    }

    /** The repositories in order, as given (Maven Central when none were). */
    List<Repository> repositories() {
        return given;
    }

    /** The repositories asked, in order, each as its mirror when one serves it: what a failure names. */
    List<String> repositoryNames() {
        List<String> names = new ArrayList<>();
        for (RemoteRepository r : repositories) {
            RemoteRepository mirror = mirrors.getMirror(r);
            names.add(mirror == null
                    ? r.getId() + " (" + r.getUrl() + ")"
                    : mirror.getId() + " (" + mirror.getUrl() + ", mirror of " + r.getId() + ")");
        }
        return names;
    }

    /**
     * Resolves coordinates ({@code g:a:v} or {@code g:a:ext:classifier:v}) to local files, downloading
     * what is missing. With {@code transitive}, their compile and runtime dependencies come too (no test,
     * no provided, no optional ones), conflicts settled nearest-first as Maven does; the roots' files come
     * first in the given order.
     *
     * @throws ArtifactResolutionFailure when any artifact cannot be found or downloaded (checksums are verified)
     * @throws IllegalArgumentException when a coordinate is malformed
     */
    public List<Path> resolve(List<String> coordinates, boolean transitive) {
        List<Artifact> roots = coordinates.stream().map(MavenArtifacts::parse).toList();
        try (CloseableSession session = newSession()) {
            List<RemoteRepository> remotes = system.newResolutionRepositories(session, repositories);
            List<ArtifactResult> results = transitive
                    ? resolveTransitively(session, roots, remotes)
                    : system.resolveArtifacts(session, roots.stream().map(a -> new ArtifactRequest(a, remotes, null)).toList());
            Set<Path> files = new LinkedHashSet<>();
            for (ArtifactResult r : results) {
                files.add(r.getArtifact().getPath());
            }
            return List.copyOf(files);
        } catch (DependencyResolutionException | ArtifactResolutionException e) {
            throw failure(e, repositoryNames());
        }
    }

    /**
     * The coordinates that {@code resolve(coordinates, true)} would return files for, in the same order,
     * reading only POMs: callers can say how many artifacts a resolution involves before fetching them.
     *
     * @throws ArtifactResolutionFailure when a POM in the graph cannot be found or downloaded
     */
    public List<String> collect(List<String> coordinates) {
        List<Artifact> roots = coordinates.stream().map(MavenArtifacts::parse).toList();
        try (CloseableSession session = newSession()) {
            List<RemoteRepository> remotes = system.newResolutionRepositories(session, repositories);
            CollectResult result = system.collectDependencies(session, collectRequest(roots, remotes));
            Set<String> collected = new LinkedHashSet<>();
            for (DependencyNode node : system.flattenDependencyNodes(session, result.getRoot(), RUNTIME_CLASS_PATH)) {
                if (node.getArtifact() != null) {
                    collected.add(coordinate(node.getArtifact()));
                }
            }
            return List.copyOf(collected);
        } catch (DependencyCollectionException e) {
            throw failure(e, repositoryNames());
        }
    }

    private List<ArtifactResult> resolveTransitively(RepositorySystemSession session, List<Artifact> roots,
            List<RemoteRepository> remotes) throws DependencyResolutionException {
        DependencyRequest request = new DependencyRequest(collectRequest(roots, remotes), RUNTIME_CLASS_PATH);
        return system.resolveDependencies(session, request).getArtifactResults();
    }

    private static CollectRequest collectRequest(List<Artifact> roots, List<RemoteRepository> remotes) {
        return new CollectRequest(roots.stream().map(a -> new Dependency(a, JavaScopes.COMPILE)).toList(), List.of(), remotes);
    }

    private CloseableSession newSession() {
        RepositorySystemSession.SessionBuilder builder = new SessionBuilderSupplier(system).get();
        for (Repository r : given) {
            if (r.username() == null && r.password() != null) {
                // a token: the header goes to this repository only (its id), not to a mirror serving it
                builder.setConfigProperty(ConfigurationProperties.HTTP_HEADERS + "." + r.id(),
                        Map.of("Authorization", "Bearer " + r.password()));
            }
        }
        return builder
                .withLocalRepositoryBaseDirectories(localRepository)
                // a wrong or tampered download fails instead of landing on a cluster's class path
                .setChecksumPolicy(RepositoryPolicy.CHECKSUM_POLICY_FAIL)
                // only the configured repositories: POMs such as flink-parent 2.x name hosts that are
                // unreachable from many networks, and each costs a slow retry
                .setIgnoreArtifactDescriptorRepositories(true)
                // do not remember "not found": after a repository setting is fixed, the next try must go out
                .setResolutionErrorPolicy(new SimpleResolutionErrorPolicy(false, false))
                .setMirrorSelector(mirrors)
                .setTransferListener(new DownloadLog())
                // profiles in POMs are activated by the JDK and OS, as in a Maven build
                .setSystemProperties(System.getProperties())
                .setConfigProperty(ConfigurationProperties.CONNECT_TIMEOUT, 10_000)
                .setConfigProperty(ConfigurationProperties.REQUEST_TIMEOUT, 120_000)
                .build();
    }

    static Artifact parse(String coordinate) {
        Objects.requireNonNull(coordinate, "coordinate");
        try {
            Artifact a = new DefaultArtifact(coordinate.trim());
            if (a.getGroupId().isEmpty() || a.getArtifactId().isEmpty() || a.getVersion().isEmpty()) {
                throw new IllegalArgumentException("empty part");
            }
            return a;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid Maven coordinates '" + coordinate
                    + "': expected groupId:artifactId:version or groupId:artifactId:extension:classifier:version", e);
        }
    }

    /** The user's notation: {@code g:a:v} for a plain jar, else with extension (and classifier). */
    static String coordinate(Artifact a) {
        boolean plainJar = "jar".equals(a.getExtension()) && a.getClassifier().isEmpty();
        if (plainJar) {
            return a.getGroupId() + ":" + a.getArtifactId() + ":" + a.getVersion();
        }
        return a.getGroupId() + ":" + a.getArtifactId() + ":" + a.getExtension()
                + (a.getClassifier().isEmpty() ? "" : ":" + a.getClassifier()) + ":" + a.getVersion();
    }

    static ArtifactResolutionFailure failure(Exception e, List<String> repositories) {
        LinkedHashMap<String, String> missing = new LinkedHashMap<>();
        collectMissing(e, missing, new java.util.IdentityHashMap<>());
        String detail = missing.values().stream().filter(Objects::nonNull).findFirst().orElse(e.getMessage());
        return new ArtifactResolutionFailure(List.copyOf(missing.keySet()), repositories, shorten(detail), e);
    }

    /** Walks the resolver's exception tree: results, collect exceptions, causes, suppressed. */
    private static void collectMissing(Throwable t, LinkedHashMap<String, String> missing,
            java.util.IdentityHashMap<Throwable, Boolean> seen) {
        if (t == null || seen.put(t, Boolean.TRUE) != null) {
            return;
        }
        if (t instanceof ArtifactTransferException transfer && transfer.getArtifact() != null) {
            missing.putIfAbsent(coordinate(transfer.getArtifact()), transfer.getMessage());
        } else if (t instanceof ArtifactDescriptorException descriptor) {
            missing.putIfAbsent(coordinate(descriptor.getResult().getRequest().getArtifact()), descriptor.getMessage());
        } else if (t instanceof ArtifactResolutionException resolution) {
            for (ArtifactResult r : resolution.getResults()) {
                if (!r.isResolved()) {
                    r.getExceptions().forEach(x -> collectMissing(x, missing, seen));
                    missing.putIfAbsent(coordinate(r.getRequest().getArtifact()), null);
                }
            }
        } else if (t instanceof DependencyCollectionException collection && collection.getResult() != null) {
            collection.getResult().getExceptions().forEach(x -> collectMissing(x, missing, seen));
        } else if (t instanceof DependencyResolutionException resolution && resolution.getResult() != null) {
            resolution.getResult().getCollectExceptions().forEach(x -> collectMissing(x, missing, seen));
            for (ArtifactResult r : resolution.getResult().getArtifactResults()) {
                if (!r.isResolved()) {
                    r.getExceptions().forEach(x -> collectMissing(x, missing, seen));
                    missing.putIfAbsent(coordinate(r.getRequest().getArtifact()), null);
                }
            }
        }
        collectMissing(t.getCause(), missing, seen);
        for (Throwable s : t.getSuppressed()) {
            collectMissing(s, missing, seen);
        }
    }

    private static String shorten(String text) {
        if (text == null) {
            return null;
        }
        String oneLine = text.replaceAll("\\s+", " ").trim();
        return oneLine.length() <= 400 ? oneLine : oneLine.substring(0, 400) + "...";
    }

    private static RemoteRepository remote(Repository r) {
        RemoteRepository.Builder builder = new RemoteRepository.Builder(r.id(), "default", r.url())
                .setPolicy(new RepositoryPolicy(true, RepositoryPolicy.UPDATE_POLICY_DAILY, RepositoryPolicy.CHECKSUM_POLICY_FAIL));
        if (r.username() != null) {
            builder.setAuthentication(new AuthenticationBuilder()
                    .addUsername(r.username())
                    .addPassword(r.password() == null ? "" : r.password())
                    .build());
        }
        return builder.build();
    }

    private static void requireText(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " is required");
        }
    }

    static String humanSize(long bytes) {
        if (bytes < 1024) {
            return bytes + "B";
        }
        if (bytes < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1fKB", bytes / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1fMB", bytes / (1024.0 * 1024.0));
    }

    @Override
    public void close() {
        system.close();
    }

    /** One log line per downloaded file; checksum files and misses stay at debug, the final failure says enough. */
    private static final class DownloadLog extends AbstractTransferListener {
        @Override
        public void transferSucceeded(TransferEvent event) {
            if (event.getRequestType() != TransferEvent.RequestType.GET) {
                return;
            }
            String name = event.getResource().getResourceName();
            long millis = java.time.Duration.between(event.getResource().getStartTime(), java.time.Instant.now()).toMillis();
            if (isChecksum(name)) {
                LOG.debug("downloaded checksum={} repository={}", name, event.getResource().getRepositoryId());
            } else {
                LOG.info("downloaded artifact={} size={} repository={} millis={}", name,
                        humanSize(event.getTransferredBytes()), event.getResource().getRepositoryId(), millis);
            }
        }

        @Override
        public void transferCorrupted(TransferEvent event) {
            LOG.warn("checksum mismatch artifact={} repository={} error={}", event.getResource().getResourceName(),
                    event.getResource().getRepositoryId(),
                    event.getException() == null ? "" : event.getException().getMessage());
        }

        @Override
        public void transferFailed(TransferEvent event) {
            LOG.debug("not downloaded artifact={} repository={} error={}", event.getResource().getResourceName(),
                    event.getResource().getRepositoryId(),
                    event.getException() == null ? "" : event.getException().getMessage());
        }

        private static boolean isChecksum(String name) {
            return name.endsWith(".sha1") || name.endsWith(".md5") || name.endsWith(".sha256") || name.endsWith(".sha512");
        }
    }
}
