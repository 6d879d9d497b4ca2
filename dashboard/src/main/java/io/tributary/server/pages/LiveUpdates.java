package io.tributary.server.pages;

import io.javalin.http.sse.SseClient;
import io.tributary.server.auth.Caller;
import io.tributary.server.pages.Model.AppRow;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server-Sent Events to open dashboards: every {@link #PERIOD} the apps' statuses are read once, and
 * each client gets, for every app it may view whose status changed since it last heard, the app's
 * overview row ({@code row-<id>}) and page summary ({@code summary-<id>}) as HTML that htmx swaps in,
 * and the counts ({@code counts}) when they changed.
 */
final class LiveUpdates implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LiveUpdates.class);
    static final Duration PERIOD = Duration.ofSeconds(2);
    /**
     * A stream that sent nothing for this long gets a comment line: proxies and load balancers close a
     * connection idle for 60 s by default, and the page would stop updating without a sign.
     */
    static final Duration HEARTBEAT = Duration.ofSeconds(20);

    private final Views views;
    private final Templates templates;
    private final Clock clock;
    private final Map<SseClient, Listener> clients = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "dashboard-sse");
        t.setDaemon(true);
        return t;
    });

    /** One open page: who looks, and what it was last sent (app key -> row as rendered, minus the age). */
    private static final class Listener {
        /** The page's credentials, asked again before each push: a stream must not outlive its session. */
        final Supplier<Optional<Caller>> who;
        Caller caller;
        /** The overview's filters when the page was opened: its counts are of the apps they match. */
        final String team;
        final String query;
        final String status;
        final Map<String, AppRow> seen = new HashMap<>();
        String counts;
        long lastSentNanos = System.nanoTime();

        Listener(Supplier<Optional<Caller>> who, Caller caller, String team, String query, String status) {
            this.who = who;
            this.caller = caller;
            this.team = team;
            this.query = query;
            this.status = status;
        }

        Model.Counts countsOf(List<AppRow> rows) {
            return Views.counts(rows.stream().filter(r -> Views.matches(r, team, query, null)).toList());
        }
    }

    LiveUpdates(Views views, Templates templates, Clock clock) {
        this.views = views;
        this.templates = templates;
        this.clock = clock;
        timer.scheduleWithFixedDelay(this::push, PERIOD.toMillis(), PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    void connect(SseClient client, Caller caller, Supplier<Optional<Caller>> who, String team, String query,
            String status) {
        Listener listener = new Listener(who, caller, team, query, status);
        List<AppRow> rows = views.rows(caller);
        rows.forEach(r -> listener.seen.put(r.key(), r));
        listener.counts = listener.countsOf(rows).toString();
        clients.put(client, listener);
        client.onClose(() -> clients.remove(client));
        client.keepAlive();
        LOG.debug("sse connected user={} clients={}", caller.user(), clients.size());
    }

    private void push() {
        if (clients.isEmpty()) {
            return;
        }
        try {
            Map<Caller, List<AppRow>> byCaller = new HashMap<>();
            for (Map.Entry<SseClient, Listener> entry : clients.entrySet()) {
                Listener listener = entry.getValue();
                Optional<Caller> now = listener.who.get();
                if (now.isEmpty()) {
                    // logged out, token revoked, or no longer in Git: the page gets nothing more
                    LOG.debug("sse closed user={}: no longer authenticated", listener.caller.user());
                    clients.remove(entry.getKey());
                    entry.getKey().close();
                    continue;
                }
                listener.caller = now.get(); // rights follow Git: a team left is no longer streamed
                List<AppRow> rows = byCaller.computeIfAbsent(listener.caller, views::rows);
                send(entry.getKey(), listener, rows);
            }
        } catch (RuntimeException e) {
            LOG.warn("sse push failed: {}", e.toString());
        }
    }

    private void send(SseClient client, Listener listener, List<AppRow> rows) {
        for (AppRow row : rows) {
            if (!Objects.equals(listener.seen.get(row.key()), row)) {
                Map<String, Object> params = Map.of("row", row, "now", clock.instant());
                if (!emit(client, "row-" + row.id(), templates.render("app_row.jte", params))
                        || !emit(client, "summary-" + row.id(), templates.render("app_summary.jte", params))) {
                    return;
                }
                listener.seen.put(row.key(), row);
                listener.lastSentNanos = System.nanoTime();
            }
        }
        Model.Counts now = listener.countsOf(rows);
        String counts = now.toString();
        if (!counts.equals(listener.counts) && emit(client, "counts", templates.render("counts.jte",
                Map.of("counts", now, "status", listener.status == null ? "" : listener.status,
                        "filter", Fmt.filter(listener.team, listener.query))))) {
            listener.counts = counts;
            listener.lastSentNanos = System.nanoTime();
        }
        if (System.nanoTime() - listener.lastSentNanos > HEARTBEAT.toNanos() && !client.terminated()) {
            client.sendComment("still here");
            listener.lastSentNanos = System.nanoTime();
        }
    }

    /** Sends one event; false (and the client forgotten) once the page has gone. */
    private boolean emit(SseClient client, String event, String html) {
        if (client.terminated()) {
            clients.remove(client);
            return false;
        }
        client.sendEvent(event, oneLine(html));
        return true;
    }

    /** SSE data lines cannot hold a bare newline; HTML does not need them. */
    private static String oneLine(String html) {
        return html.replace("\r", "").replace("\n", " ");
    }

    /** Stops pushing; the open streams end with the HTTP server, which owns them. */
    @Override
    public void close() {
        timer.shutdownNow();
        clients.clear();
    }
}
