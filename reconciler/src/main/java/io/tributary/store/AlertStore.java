package io.tributary.store;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.jdbi.v3.core.Jdbi;

/**
 * The alerts' records: incidents (at most one open per subject and event) and every attempt to
 * deliver a notice about them. Written by one dispatcher thread; read by the dashboard and the API.
 */
public final class AlertStore {
    private final Jdbi jdbi;
    private final Clock clock;

    public AlertStore(Database db, Clock clock) {
        this.jdbi = db.jdbi();
        this.clock = clock;
    }

    public Optional<AlertRecord> open(String subject, String event) {
        return dao(d -> d.open(subject, event));
    }

    public List<AlertRecord> openAlerts() {
        return dao(AlertDao::allOpen);
    }

    public Optional<AlertRecord> alert(long id) {
        return dao(d -> d.byId(id));
    }

    /** Opens an incident; the caller has checked that none is open for the subject and event. */
    public AlertRecord fire(String subject, String event, String severity, String message, String revision) {
        return dao(d -> d.insert(subject, event, severity, message, now(), revision));
    }

    /** The same condition reported again while open: counted, with the latest message. */
    public AlertRecord seenAgain(long id, String message) {
        return dao(d -> d.seenAgain(id, message, now()));
    }

    public void notified(long id) {
        dao(d -> {
            d.notified(id, now());
            return null;
        });
    }

    /** Closes the incident; empty when it was closed already. */
    public Optional<AlertRecord> resolve(long id, String message) {
        return dao(d -> d.resolve(id, message, now()));
    }

    /** Alerts matching {@code filter} (the app is the subject), newest first. */
    public Store.Page<AlertRecord> alerts(Store.Filter filter, int limit, long offset) {
        String[] teams = filter.teams() == null ? new String[0] : filter.teams().toArray(String[]::new);
        boolean all = filter.teams() == null;
        return dao(d -> new Store.Page<>(d.matching(filter, all, teams, limit, offset),
                d.countMatching(filter, all, teams)));
    }

    public void recordDelivery(AlertDelivery delivery) {
        AlertDelivery stored = new AlertDelivery(0, delivery.alertId(), delivery.channel(), delivery.kind(),
                delivery.attempt(), delivery.at() == null ? now() : delivery.at().truncatedTo(ChronoUnit.MICROS),
                delivery.ok(), delivery.detail());
        dao(d -> {
            d.insertDelivery(stored);
            return null;
        });
    }

    public List<AlertDelivery> deliveries(long alertId) {
        return dao(d -> d.deliveriesOf(alertId));
    }

    public List<AlertDelivery> recentDeliveries(int limit) {
        return dao(d -> d.recentDeliveries(limit));
    }

    /** Every channel that was ever tried, with how its deliveries went. */
    public List<ChannelHealth> channelHealth() {
        return dao(AlertDao::channelHealth);
    }

    private <R> R dao(Function<AlertDao, R> call) {
        return jdbi.withExtension(AlertDao.class, call::apply);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
