package io.tributary.server;

import io.tributary.apply.ClusterRegistry;
import io.tributary.apply.Clusters;
import io.tributary.apply.StartupProblem;
import io.tributary.flink.FlinkRest.ClusterOverview;
import io.tributary.flink.FlinkRestClient;
import io.tributary.flink.LocalCluster;
import io.tributary.model.Cluster;
import io.tributary.model.DesiredState;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * What each declared cluster is doing now, worked out in one place for the clusters page and
 * {@code GET /api/v1/clusters}, so the two never tell on-call different things. The clusters of one
 * request are asked at once: several that do not answer (an outage, when on-call looks) cost the
 * request one timeout, not one each. Flink's overview of a cluster is reused for a few seconds, so
 * reloading a page or polling the API does not call Flink each time.
 */
public final class ClusterStatuses {
    static final Duration OVERVIEW_TIMEOUT = Duration.ofSeconds(2);
    private static final long OVERVIEW_TTL_NANOS = Duration.ofSeconds(5).toNanos();

    /** Shared by every request; idle threads end after a minute. */
    private static final ThreadPoolExecutor ASKERS = new ThreadPoolExecutor(16, 16, 60, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "tributary-cluster-status");
                t.setDaemon(true);
                return t;
            });

    static {
        ASKERS.allowCoreThreadTimeOut(true);
    }

    public enum State {
        /** Its REST API answers. */
        RUNNING,
        /** It has an address that does not answer. */
        UNREACHABLE,
        /** Managed, started, and it never answered: {@link Status#startupProblem()} says why. */
        DOWN,
        /** Managed and not started: Tributary starts it when an application on it needs it. */
        STOPPED,
        /** External, and its address is not known (yet). */
        UNKNOWN
    }

    /**
     * @param flinkVersion the Flink version it is declared with, or the default one's name
     * @param webUi where a browser opens Flink's web UI: an ingress when one is recorded, else the REST address
     * @param unanswered why its REST API did not answer, when it was asked and did not
     * @param local the managed local cluster's processes, when it is one and started
     */
    public record Status(Cluster cluster, State state, String flinkVersion, Optional<URI> restUrl, Optional<URI> webUi,
            Optional<ClusterOverview> overview, Optional<String> unanswered, Optional<StartupProblem> startupProblem,
            Optional<LocalCluster> local) {}

    /** Flink's overview of one REST address, or why it did not answer, and when it was asked. */
    private record Asked(Optional<ClusterOverview> overview, Optional<String> unanswered, long at) {}

    private final ClusterRegistry registry;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(OVERVIEW_TIMEOUT).build();
    private final Map<URI, Asked> overviews = new ConcurrentHashMap<>();

    public ClusterStatuses(ClusterRegistry registry) {
        this.registry = registry;
    }

    /** The statuses of {@code clusters}, in their order, every cluster asked at once. */
    public List<Status> of(List<Cluster> clusters, DesiredState desired) {
        String defaultVersion = desired.defaultFlinkVersion().map(v -> v.metadata().name()).orElse(null);
        List<CompletableFuture<Status>> asked = clusters.stream()
                .map(c -> CompletableFuture.supplyAsync(() -> of(c, defaultVersion), ASKERS))
                .toList();
        return asked.stream().map(CompletableFuture::join).toList();
    }

    private Status of(Cluster cluster, String defaultVersion) {
        Optional<URI> rest = registry.restUrl(cluster);
        Optional<Asked> asked = rest.map(this::overview);
        Optional<ClusterOverview> overview = asked.flatMap(Asked::overview);
        Optional<StartupProblem> problem = overview.isPresent() ? Optional.empty() : registry.startupProblem(cluster);
        State state = problem.isPresent() ? State.DOWN : overview.isPresent() ? State.RUNNING
                : rest.isPresent() ? State.UNREACHABLE : cluster.spec().managed() ? State.STOPPED : State.UNKNOWN;
        Optional<LocalCluster> local = cluster.isLocal() && registry instanceof Clusters clusters
                ? clusters.local(cluster.id().qualifiedName()) : Optional.empty();
        String version = cluster.spec().flinkVersion() != null ? cluster.spec().flinkVersion() : defaultVersion;
        return new Status(cluster, state, version, rest, registry.webUiUrl(cluster), overview,
                asked.flatMap(Asked::unanswered), problem, local);
    }

    /** Flink's {@code /overview} of a cluster, asked at most every few seconds. */
    private Asked overview(URI rest) {
        Asked cached = overviews.get(rest);
        if (cached != null && System.nanoTime() - cached.at() < OVERVIEW_TTL_NANOS) {
            return cached;
        }
        Asked asked;
        try {
            asked = new Asked(Optional.of(new FlinkRestClient(rest, http, OVERVIEW_TIMEOUT).overview()), Optional.empty(),
                    System.nanoTime());
        } catch (RuntimeException e) { // whatever it answered, the page and the list still show the other clusters
            asked = new Asked(Optional.empty(), Optional.of(String.valueOf(e.getMessage())), System.nanoTime());
        }
        overviews.put(rest, asked);
        return asked;
    }
}
