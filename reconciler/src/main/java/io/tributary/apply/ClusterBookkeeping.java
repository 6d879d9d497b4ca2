package io.tributary.apply;

import io.tributary.flink.ApplicationClusterTarget;
import io.tributary.flink.FlinkHome;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the YARN and Kubernetes registries keep about the clusters they deploy, in one place: what each
 * was deployed with (a properties file in the cluster's folder, with its Flink home, so a restarted
 * service, or a cluster or app that left Git, can still be found and removed), the REST addresses of
 * sessions (asked once; an unknown one asked again after 30 s), and the targets of per-app clusters
 * (rebuilt when their options change).
 */
final class ClusterBookkeeping {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterBookkeeping.class);
    static final String HOME_KEY = "tributary.flink-home";
    private static final Duration NEGATIVE_CACHE = Duration.ofSeconds(30);

    private final String stateFile;
    private final String comment;
    private final Map<String, Optional<URI>> restUrls = new ConcurrentHashMap<>();
    private final Map<String, Instant> unknownSince = new ConcurrentHashMap<>();
    private final Map<String, AppTarget> appTargets = new ConcurrentHashMap<>();

    private record AppTarget(Map<String, String> options, ApplicationClusterTarget target) {}

    /**
     * @param stateFile the file name in each cluster's folder
     * @param kind what the clusters are, for the file's comment ({@code YARN}, {@code Kubernetes})
     */
    ClusterBookkeeping(String stateFile, String kind) {
        this.stateFile = stateFile;
        this.comment = "written by Tributary: what this " + kind + " cluster was deployed with";
    }

    // ---- REST addresses of sessions

    /** The known address, else {@code ask}'s answer (a failure is an unknown address), remembered. */
    Optional<URI> restUrl(String name, Supplier<Optional<URI>> ask) {
        Optional<URI> known = restUrls.get(name);
        if (known != null && known.isPresent()) {
            return known;
        }
        Instant since = unknownSince.get(name);
        if (since != null && Instant.now().isBefore(since.plus(NEGATIVE_CACHE))) {
            return Optional.empty();
        }
        Optional<URI> url = Optional.empty();
        try {
            url = ask.get();
        } catch (RuntimeException e) {
            LOG.warn("cluster={} REST address unknown: {}", name, e.getMessage());
        }
        restUrls.put(name, url);
        if (url.isEmpty()) {
            unknownSince.put(name, Instant.now());
        } else {
            unknownSince.remove(name);
        }
        return url;
    }

    void rememberRestUrl(String name, URI url) {
        restUrls.put(name, Optional.of(url));
        unknownSince.remove(name);
    }

    /** Asks again next time: the cluster was (re)deployed, adopted or removed. */
    void forgetRestUrl(String name) {
        restUrls.remove(name);
        unknownSince.remove(name);
    }

    // ---- per-app targets

    /** The app's target while its options stay the same; else a new one from {@code create}. */
    ApplicationClusterTarget appTarget(String app, Map<String, String> options,
            Supplier<ApplicationClusterTarget> create) {
        AppTarget current = appTargets.get(app);
        if (current != null && current.options().equals(options)) {
            return current.target();
        }
        ApplicationClusterTarget target = create.get();
        appTargets.put(app, new AppTarget(options, target));
        return target;
    }

    /** The target built last for the app, if any. */
    Optional<ApplicationClusterTarget> appTarget(String app) {
        return Optional.ofNullable(appTargets.get(app)).map(AppTarget::target);
    }

    void forgetApp(String app) {
        appTargets.remove(app);
    }

    // ---- what was deployed, on disk

    boolean deployedHere(Path dir) {
        return Files.isRegularFile(dir.resolve(stateFile));
    }

    /** Records {@code state} and the Flink home ({@value #HOME_KEY}) in the cluster's folder. */
    void write(Path dir, Map<String, String> state, FlinkHome home) {
        Properties p = new Properties();
        p.putAll(new TreeMap<>(state));
        p.setProperty(HOME_KEY, home.home().toString());
        try {
            Files.createDirectories(dir);
            try (Writer w = Files.newBufferedWriter(dir.resolve(stateFile))) {
                p.store(w, comment);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What {@link #write} recorded, {@value #HOME_KEY} included; empty when nothing is. */
    Optional<Map<String, String>> read(Path dir) {
        Path file = dir.resolve(stateFile);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> state = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> state.put(k, p.getProperty(k)));
        return Optional.of(state);
    }

    void delete(Path dir) {
        try {
            Files.deleteIfExists(dir.resolve(stateFile));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
