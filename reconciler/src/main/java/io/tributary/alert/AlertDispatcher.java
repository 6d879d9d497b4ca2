package io.tributary.alert;

import io.tributary.model.AlertChannel;
import io.tributary.model.AlertPolicy;
import io.tributary.model.Application;
import io.tributary.model.DesiredState;
import io.tributary.model.Settings;
import io.tributary.store.AlertDelivery;
import io.tributary.store.AlertRecord;
import io.tributary.store.AlertStore;
import io.tributary.store.AppEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns app events into alerts and delivers them. It hears every event the store writes
 * ({@link #accept}); those that fire an alert event open an incident, at most one per subject and
 * event, and those that clear one close it with a "resolved" notice. Reports of an open incident
 * are counted and re-sent at most once per {@link Options#repeatInterval}. Notices wait
 * {@link Options#groupWait} to be grouped: a channel with more than {@link Options#digestThreshold}
 * at once gets one digest. Every delivery is retried with backoff, each attempt logged and stored.
 *
 * <p>One thread owns the incidents, so the rules hold without locks; deliveries (and their backoff)
 * run on their own threads.
 */
public final class AlertDispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertDispatcher.class);

    /**
     * @param groupWait how long notices wait to be grouped into a digest
     * @param repeatInterval how often an open alert reported again is re-sent
     * @param maxAttempts delivery attempts per notice and channel
     * @param retryBackoff wait after the first failed attempt; doubles per attempt
     * @param digestThreshold more notices than this for one channel at once are sent as one digest
     * @param dashboardUrl the dashboard's address for links, when Settings has no {@code dashboardUrl}
     */
    public record Options(Duration groupWait, Duration repeatInterval, int maxAttempts, Duration retryBackoff,
            int digestThreshold, String dashboardUrl) {
        public static Options defaults() {
            return new Options(Duration.ofSeconds(5), Duration.ofHours(1), 4, Duration.ofSeconds(2), 3, null);
        }

        /** These options with the values the Settings' {@code alerts} block sets (absent ones kept). */
        public Options with(Settings.Alerts alerts) {
            if (alerts == null) {
                return this;
            }
            return new Options(alerts.groupWait() == null ? groupWait : alerts.groupWait().duration(),
                    alerts.repeatInterval() == null ? repeatInterval : alerts.repeatInterval().duration(),
                    alerts.attempts() == null ? maxAttempts : alerts.attempts(), retryBackoff,
                    alerts.digestThreshold() == null ? digestThreshold : alerts.digestThreshold(), dashboardUrl);
        }
    }

    /** What a test alert did: one attempt, its outcome and what the receiver said. */
    public record TestResult(String channel, boolean ok, String detail) {}

    private enum NoticeKind { FIRING, REPEAT, RESOLVED }

    private record Notice(NoticeKind kind, AlertRecord alert, String message) {}

    private final AlertStore store;
    private final Supplier<Optional<DesiredState>> desired;
    private final Clock clock;
    private final Options options;
    private final Channels channels;
    private final Templates templates = new Templates();
    private final BlockingQueue<Signal> signals = new LinkedBlockingQueue<>();
    private final List<Notice> pending = new ArrayList<>();
    private Instant pendingSince;
    private final ExecutorService deliveries;
    /** Per channel, the end of its queue of deliveries. */
    private final Map<String, CompletableFuture<Void>> channelTails = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean running;
    private Thread thread;

    public AlertDispatcher(AlertStore store, Supplier<Optional<DesiredState>> desired,
            Function<String, String> environment, Clock clock, Options options) {
        this.store = store;
        this.desired = desired;
        this.clock = clock;
        this.options = options;
        this.channels = new Channels(environment, clock);
        // a thread per channel delivering: one whose receiver does not answer waits out its retries on its own,
        // where a fixed pool let two such channels hold every other channel's alerts back
        this.deliveries = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "tributary-alert-delivery");
            t.setDaemon(true);
            return t;
        });
    }

    /** The store's event listener: cheap, never throws; the work happens on the dispatcher's thread. */
    public void accept(AppEvent event) {
        try {
            EventRules.of(event).ifPresent(signals::add);
        } catch (RuntimeException e) {
            LOG.warn("app={} event={} not considered for alerts: {}", event.app(), event.type(), e.toString());
        }
    }

    public synchronized void start() {
        running = true;
        thread = new Thread(this::loop, "tributary-alerts");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * The options in force: the service's, with what the Settings of the revision in force set in
     * {@code alerts}; a new revision changes them from its next notice on.
     */
    Options effective() {
        return desired.get().flatMap(DesiredState::settings).map(s -> options.with(s.spec().alerts())).orElse(options);
    }

    private void loop() {
        while (running) {
            try {
                Duration groupWait = effective().groupWait();
                Signal signal = signals.poll(Math.max(10, groupWait.toMillis() / 4), TimeUnit.MILLISECONDS);
                if (signal != null) {
                    handle(signal);
                }
                if (!pending.isEmpty() && !clock.instant().isBefore(pendingSince.plus(groupWait))) {
                    flush();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("alert dispatch failed", e);
            }
        }
    }

    // ---- incidents

    private void handle(Signal signal) {
        Optional<DesiredState> state = desired.get();
        if (signal.firing()) {
            AlertPolicy.Event event = signal.events().get(0);
            if (state.isEmpty() || Route.of(state.get(), signal.subject(), event).isEmpty()) {
                LOG.debug("subject={} event={} no policy alerts on it", signal.subject(), event.yamlName());
                return;
            }
            Optional<AlertRecord> open = store.open(signal.subject(), event.yamlName());
            if (open.isEmpty()) {
                AlertRecord alert = store.fire(signal.subject(), event.yamlName(), signal.severity(), signal.message(),
                        signal.revision());
                LOG.info("alert={} subject={} event={} severity={} fired: {}", alert.id(), alert.subject(),
                        alert.event(), alert.severity(), alert.message());
                queue(new Notice(NoticeKind.FIRING, alert, signal.message()));
            } else {
                AlertRecord alert = store.seenAgain(open.get().id(), signal.message());
                Instant last = alert.lastNotifiedAt() == null ? alert.openedAt() : alert.lastNotifiedAt();
                boolean due = !clock.instant().isBefore(last.plus(effective().repeatInterval()))
                        && pending.stream().noneMatch(n -> n.alert().id() == alert.id());
                LOG.debug("alert={} subject={} event={} reported again repeats={} resend={}", alert.id(),
                        alert.subject(), alert.event(), alert.repeats(), due);
                if (due) {
                    queue(new Notice(NoticeKind.REPEAT, alert, signal.message()));
                }
            }
            return;
        }
        for (AlertPolicy.Event event : signal.events()) {
            store.open(signal.subject(), event.yamlName()).flatMap(a -> store.resolve(a.id(), signal.message()))
                    .ifPresent(resolved -> {
                        LOG.info("alert={} subject={} event={} resolved: {}", resolved.id(), resolved.subject(),
                                resolved.event(), signal.message());
                        queue(new Notice(NoticeKind.RESOLVED, resolved, signal.message()));
                    });
        }
    }

    private void queue(Notice notice) {
        if (pending.isEmpty()) {
            pendingSince = clock.instant();
        }
        pending.add(notice);
    }

    // ---- notices to channels

    private record Addressed(Notice notice, Route route) {}

    private void flush() {
        List<Notice> notices = List.copyOf(pending);
        pending.clear();
        Optional<DesiredState> state = desired.get();
        if (state.isEmpty()) {
            LOG.warn("alerts={} not sent: no revision is applied", notices.size());
            return;
        }
        Map<String, List<Addressed>> byChannel = new LinkedHashMap<>();
        for (Notice notice : notices) {
            AlertPolicy.Event event = EventRules.byName(notice.alert().event()).orElseThrow();
            for (Route route : Route.of(state.get(), notice.alert().subject(), event)) {
                byChannel.computeIfAbsent(route.channelKey(), k -> new ArrayList<>()).add(new Addressed(notice, route));
            }
            if (notice.kind() != NoticeKind.RESOLVED) {
                store.notified(notice.alert().id());
            }
        }
        byChannel.forEach((channel, addressed) -> {
            AlertChannel target = addressed.get(0).route().channel();
            Sender sender;
            try {
                sender = channels.sender(target, state.get());
            } catch (Channels.Unusable e) {
                LOG.warn("channel={} unusable: {}", channel, e.getMessage());
                for (Addressed a : addressed) {
                    store.recordDelivery(new AlertDelivery(0, a.notice().alert().id(), channel, kind(a.notice()), 1,
                            null, false, e.getMessage()));
                }
                return;
            }
            if (addressed.size() > effective().digestThreshold()) {
                Map<String, Object> vars = digestVariables(addressed, state.get());
                Message message = templates.render(target.spec().type(), null, vars);
                List<Long> ids = addressed.stream().map(a -> a.notice().alert().id()).toList();
                deliver(channel, sender, message, "digest", ids);
            } else {
                for (Addressed a : addressed) {
                    Message message = templates.render(target.spec().type(), a.route().policy().spec().template(),
                            variables(a.notice(), a.route(), state.get()));
                    deliver(channel, sender, message, kind(a.notice()), List.of(a.notice().alert().id()));
                }
            }
        });
    }

    private static String kind(Notice notice) {
        return notice.kind().name().toLowerCase();
    }

    /**
     * Delivers on the pool, one notice at a time per channel (in the order they were queued, so a
     * resolved notice never overtakes its alert), channels side by side.
     */
    private void deliver(String channel, Sender sender, Message message, String kind, List<Long> alertIds) {
        Runnable attempts = () -> attempts(channel, sender, message, kind, alertIds);
        channelTails.compute(channel, (k, tail) -> (tail == null ? CompletableFuture.<Void>completedFuture(null) : tail)
                .thenRunAsync(attempts, deliveries).exceptionally(e -> null));
    }

    private void attempts(String channel, Sender sender, Message message, String kind, List<Long> alertIds) {
        Duration wait = options.retryBackoff();
        int maxAttempts = effective().maxAttempts();
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            boolean ok;
            String detail;
            try {
                detail = sender.send(message);
                ok = true;
            } catch (Sender.DeliveryFailed | RuntimeException e) {
                detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                ok = false;
            }
            record(channel, kind, attempt, ok, detail, alertIds);
            if (ok) {
                LOG.info("channel={} kind={} alerts={} attempt={} delivered: {}", channel, kind, alertIds, attempt,
                        detail);
                return;
            }
            boolean last = attempt == maxAttempts;
            LOG.warn("channel={} kind={} alerts={} attempt={} failed{}: {}", channel, kind, alertIds, attempt,
                    last ? ", giving up" : ", retrying in " + wait.toMillis() + "ms", detail);
            if (last) {
                return;
            }
            try {
                Thread.sleep(wait.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            wait = wait.multipliedBy(2);
        }
    }

    private void record(String channel, String kind, int attempt, boolean ok, String detail, List<Long> alertIds) {
        try {
            if (alertIds.isEmpty()) {
                store.recordDelivery(new AlertDelivery(0, null, channel, kind, attempt, null, ok, detail));
            }
            for (Long id : alertIds) {
                store.recordDelivery(new AlertDelivery(0, id, channel, kind, attempt, null, ok, detail));
            }
        } catch (RuntimeException e) {
            LOG.warn("channel={} attempt={} could not be recorded: {}", channel, attempt, e.toString());
        }
    }

    // ---- template variables (docs/alerts.md)

    private Map<String, Object> variables(Notice notice, Route route, DesiredState state) {
        AlertRecord alert = notice.alert();
        Map<String, Object> vars = new LinkedHashMap<>();
        String subject = alert.subject();
        boolean resolved = notice.kind() == NoticeKind.RESOLVED;
        vars.put("status", resolved ? "resolved" : "firing");
        vars.put("resolved", resolved);
        vars.put("repeat", notice.kind() == NoticeKind.REPEAT);
        vars.put("test", false);
        vars.put("digest", false);
        vars.put("event", alert.event());
        vars.put("severity", resolved ? "resolved" : alert.severity());
        vars.put("subject", subject);
        vars.put("message", notice.message());
        boolean isApp = subject.contains("/") && !subject.startsWith(EventRules.CLUSTER);
        String cluster = subject.startsWith(EventRules.CLUSTER) ? subject.substring(EventRules.CLUSTER.length()) : null;
        if (isApp) {
            vars.put("app", subject);
            vars.put("team", subject.substring(0, subject.indexOf('/')));
            vars.put("name", subject.substring(subject.indexOf('/') + 1));
            Optional<Application> app = Route.appsOf(state, subject).stream().findFirst();
            cluster = app.flatMap(state::clusterOf).map(c -> c.id().qualifiedName()).orElse(null);
        }
        vars.put("cluster", cluster);
        if (subject.startsWith(EventRules.CLUSTER)) {
            vars.put("apps", Route.appsOf(state, subject).stream().map(a -> a.id().qualifiedName()).toList());
        }
        vars.put("action", route.rule().action() == AlertPolicy.Action.RESTART
                && alert.event().equals(AlertPolicy.Event.CHECKPOINT_FAILURES.yamlName()) && !resolved
                ? "restart from the last completed checkpoint (or savepoint)" : null);
        // when it happened, not when the message went out (a group wait or retries come between)
        vars.put("time", (resolved && alert.resolvedAt() != null ? alert.resolvedAt() : alert.openedAt()).toString());
        vars.put("openedAt", alert.openedAt().toString());
        vars.put("resolvedAt", alert.resolvedAt() == null ? null : alert.resolvedAt().toString());
        vars.put("repeats", alert.repeats());
        vars.put("revision", alert.revision());
        vars.put("policy", route.policy().id().qualifiedName());
        vars.put("channel", route.channelKey());
        vars.put("alertId", alert.id());
        String base = dashboardUrl(state);
        vars.put("dashboardUrl", base);
        vars.put("url", base == null ? null : isApp ? base + "/apps/" + subject : base + "/alerts");
        return vars;
    }

    private Map<String, Object> digestVariables(List<Addressed> addressed, DesiredState state) {
        Map<String, Object> vars = new LinkedHashMap<>();
        List<Map<String, Object>> alerts = new ArrayList<>();
        Set<String> severities = new LinkedHashSet<>();
        for (Addressed a : addressed) {
            AlertRecord alert = a.notice().alert();
            boolean resolved = a.notice().kind() == NoticeKind.RESOLVED;
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("status", resolved ? "resolved" : "firing");
            one.put("event", alert.event());
            one.put("subject", alert.subject());
            one.put("severity", resolved ? "resolved" : alert.severity());
            one.put("message", a.notice().message());
            one.put("alertId", alert.id());
            alerts.add(one);
            severities.add(resolved ? "resolved" : alert.severity());
        }
        vars.put("digest", true);
        vars.put("test", false);
        vars.put("resolved", false);
        vars.put("status", "digest");
        vars.put("count", alerts.size());
        vars.put("alerts", alerts);
        vars.put("severity", severities.contains("error") ? "error" : severities.iterator().next());
        vars.put("time", clock.instant().toString());
        vars.put("channel", addressed.get(0).route().channelKey());
        String base = dashboardUrl(state);
        vars.put("dashboardUrl", base);
        vars.put("url", base == null ? null : base + "/alerts");
        return vars;
    }

    private String dashboardUrl(DesiredState state) {
        String url = state.settings().map(s -> s.spec().dashboardUrl()).orElse(options.dashboardUrl());
        return url == null ? null : url.replaceAll("/+$", "");
    }

    /**
     * Why the channel cannot send as declared (a secret that cannot be read, no SMTP settings), or
     * empty when it can. Such a channel's deliveries fail at once and are not retried.
     */
    public Optional<String> unusable(AlertChannel channel, DesiredState state) {
        try {
            channels.sender(channel, state);
            return Optional.empty();
        } catch (Channels.Unusable e) {
            return Optional.of(e.getMessage());
        }
    }

    // ---- test alerts

    /**
     * Sends a test alert to the channel ({@code team/name}, or the name of a platform channel) now:
     * one attempt, recorded like any other, its outcome returned.
     *
     * @throws IllegalArgumentException when the applied revision declares no such channel
     */
    public TestResult sendTest(String channel, String actor) {
        DesiredState state = desired.get().orElseThrow(() -> new IllegalArgumentException("no revision is applied yet"));
        AlertChannel target = state.all(AlertChannel.class).stream()
                .filter(c -> c.id().qualifiedName().equals(channel)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no alert channel " + channel + " in the applied revision"));
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("test", true);
        vars.put("digest", false);
        vars.put("resolved", false);
        vars.put("status", "test");
        vars.put("event", "test");
        vars.put("severity", "info");
        vars.put("subject", "channel " + channel);
        vars.put("channel", channel);
        vars.put("team", target.metadata().team());
        vars.put("message", "A test alert sent by " + actor + " from the dashboard: if you read this, channel "
                + channel + " works.");
        vars.put("time", clock.instant().toString());
        vars.put("openedAt", clock.instant().toString());
        String base = dashboardUrl(state);
        vars.put("dashboardUrl", base);
        vars.put("url", base == null ? null : base + "/alerts");
        Message message = templates.render(target.spec().type(), null, vars);
        boolean ok;
        String detail;
        try {
            detail = channels.sender(target, state).send(message);
            ok = true;
        } catch (Sender.DeliveryFailed | Channels.Unusable e) {
            detail = e.getMessage();
            ok = false;
        }
        record(channel, "test", 1, ok, detail, List.of());
        LOG.info("channel={} actor={} test alert ok={}: {}", channel, actor, ok, detail);
        return new TestResult(channel, ok, detail);
    }

    /** The channels of the applied revision, by {@code team/name} (or name). */
    public List<AlertChannel> declaredChannels() {
        return desired.get().map(d -> d.all(AlertChannel.class)).orElse(List.of());
    }


    @Override
    public void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
        deliveries.shutdown();
        try {
            deliveries.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
