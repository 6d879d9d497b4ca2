package io.tributary.server.pages;

import io.tributary.apply.Clusters;
import io.tributary.apply.Reconciler;
import io.tributary.flink.FlinkRest;
import io.tributary.flink.FlinkRestClient;
import io.tributary.flink.JobId;
import io.tributary.flink.LocalCluster;
import io.tributary.model.Application;
import io.tributary.model.DesiredState;
import io.tributary.model.Permission;
import io.tributary.server.GitVsRunning;
import io.tributary.server.api.ApplicationsApi.ApplicationView;
import io.tributary.server.api.ApplicationsApi.SavepointView;
import io.tributary.server.api.ApplicationsApi.StatusView;
import io.tributary.server.api.ReadModel;
import io.tributary.server.auth.Caller;
import io.tributary.server.pages.Model.AppRow;
import io.tributary.server.pages.Model.Counts;
import io.tributary.server.pages.Model.FlinkExceptions;
import io.tributary.store.AppStatus;
import io.tributary.store.Deployment;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads the applied revision, the API's read model and the store into the pages' values. */
final class Views {
    private static final Logger LOG = LoggerFactory.getLogger(Views.class);
    private static final int LOG_TAIL_BYTES = 24 * 1024;

    private final Reconciler reconciler;
    private final GitVsRunning drift;
    private final ReadModel model;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    Views(Reconciler reconciler, GitVsRunning drift, ReadModel model) {
        this.reconciler = reconciler;
        this.drift = drift;
        this.model = model;
    }

    Optional<DesiredState> desired() {
        return reconciler.current().map(Reconciler.Loaded::desired);
    }

    /** Every app Git declares or the store still knows, that {@code caller} may view, by key. */
    List<AppRow> rows(Caller caller) {
        return model.apps().stream().filter(a -> caller.may(Permission.APP_VIEW, a.team())).map(Views::row).toList();
    }

    Optional<AppRow> row(Caller caller, String app) {
        return rows(caller).stream().filter(r -> r.key().equals(app)).findFirst();
    }

    private static AppRow row(ApplicationView app) {
        Optional<StatusView> status = Optional.ofNullable(app.status());
        Optional<SavepointView> last = Optional.ofNullable(app.lastSavepoint());
        return new AppRow(app.id(), app.team(), app.name(), app.inGit(),
                status.map(StatusView::sync).orElse(app.inGit() ? "OutOfSync" : null),
                status.map(StatusView::health).orElse("Unknown"),
                status.map(StatusView::jobState).orElse(null), app.mode(), app.cluster(),
                status.map(StatusView::revision).orElse(null), status.map(StatusView::message).orElse(null),
                last.map(SavepointView::path).orElse(null), last.map(SavepointView::createdAt).orElse(null),
                app.override(), app.flinkWebUi());
    }

    static Counts counts(List<AppRow> rows) {
        return new Counts(rows.size(), health(rows, "Healthy"), health(rows, "Progressing"), health(rows, "Degraded"),
                health(rows, "Unknown"), health(rows, "Missing"), health(rows, "Suspended"),
                count(rows, r -> "OutOfSync".equals(r.sync())), count(rows, AppRow::overridden));
    }

    private static int health(List<AppRow> rows, String health) {
        return count(rows, r -> health.equals(r.health()));
    }

    private static int count(List<AppRow> rows, Predicate<AppRow> test) {
        return (int) rows.stream().filter(test).count();
    }

    /** The overview's status filters: the names of its counts. */
    static final List<String> STATUSES = List.of("Healthy", "Progressing", "Degraded", "Unknown", "Missing", "Suspended",
            "OutOfSync", "Overridden");

    /** The overview's filter: {@code status} is one of {@link #STATUSES}. */
    static boolean matches(AppRow row, String team, String query, String status) {
        if (team != null && !team.isBlank() && !row.team().equals(team)) {
            return false;
        }
        if (query != null && !query.isBlank()) {
            String q = query.toLowerCase().strip();
            boolean found = java.util.stream.Stream.of(row.key(), row.cluster(), row.mode())
                    .anyMatch(field -> field != null && field.toLowerCase().contains(q));
            if (!found) {
                return false;
            }
        }
        if (status == null || status.isBlank()) {
            return true;
        }
        return switch (status) {
            case "Healthy", "Progressing", "Degraded", "Unknown", "Missing", "Suspended" -> status.equals(row.health());
            case "OutOfSync" -> "OutOfSync".equals(row.sync());
            case "Overridden" -> row.overridden();
            default -> true;
        };
    }

    Optional<Application> spec(String app) {
        return desired().flatMap(d -> d.applications().stream().filter(a -> a.id().qualifiedName().equals(app))
                .findFirst());
    }

    /** Git's spec against the running job's, field by field where the deployed revision can be read. */
    GitVsRunning.Drift drift(String app, List<Deployment> deployments) {
        return drift.of(app, deployments);
    }

    /** Flink's exceptions of the app's job, through its cluster's REST address. */
    FlinkExceptions exceptions(String app) {
        Optional<AppStatus> status = reconciler.store().status(app);
        Optional<String> jobId = status.map(AppStatus::jobId);
        if (jobId.isEmpty()) {
            return new FlinkExceptions(null, null, List.of(), "No job runs, so Flink has no exceptions to show.");
        }
        Optional<URI> rest = reconciler.jobRestUrl(app, status);
        if (rest.isEmpty()) {
            return new FlinkExceptions(null, null, List.of(), "The cluster's REST address is not known.");
        }
        try {
            var exceptions = new FlinkRestClient(rest.get(), http, Duration.ofSeconds(3))
                    .exceptions(new JobId(jobId.get()));
            return new FlinkExceptions(exceptions.rootException().orElse(null), exceptions.timestamp().orElse(null),
                    exceptions.history().stream().limit(10).map(FlinkRest.Failure::stacktrace).toList(), null);
        } catch (RuntimeException e) {
            LOG.debug("app={} flink exceptions unavailable: {}", app, e.toString());
            return new FlinkExceptions(null, null, List.of(), "Flink did not answer: " + e.getMessage());
        }
    }

    /** The managed local cluster's JobManager log, its path and last lines; empty for other clusters. */
    Optional<Path> jobManagerLog(String app) {
        if (!(reconciler.clusters() instanceof Clusters clusters)) {
            return Optional.empty();
        }
        return reconciler.jobSessionCluster(app, reconciler.store().status(app)).map(c -> c.id().qualifiedName())
                .flatMap(clusters::local).map(LocalCluster::logDir).map(d -> d.resolve("jobmanager.log"))
                .filter(Files::isRegularFile);
    }

    static String tail(Path file) {
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long start = Math.max(0, in.length() - LOG_TAIL_BYTES);
            in.seek(start);
            byte[] bytes = new byte[(int) (in.length() - start)];
            in.readFully(bytes);
            String text = new String(bytes, StandardCharsets.UTF_8);
            return start > 0 && text.indexOf('\n') >= 0 ? text.substring(text.indexOf('\n') + 1) : text;
        } catch (IOException e) {
            return "cannot read " + file + ": " + e.getMessage();
        }
    }
}
