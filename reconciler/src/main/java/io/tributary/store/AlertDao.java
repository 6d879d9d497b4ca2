package io.tributary.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Alerts and their delivery attempts. */
@RegisterConstructorMapper(AlertRecord.class)
@RegisterConstructorMapper(AlertDelivery.class)
@RegisterConstructorMapper(ChannelHealth.class)
interface AlertDao {
    @SqlQuery("SELECT * FROM alerts WHERE subject = :subject AND event = :event AND resolved_at IS NULL")
    Optional<AlertRecord> open(@Bind("subject") String subject, @Bind("event") String event);

    @SqlQuery("SELECT * FROM alerts WHERE resolved_at IS NULL ORDER BY opened_at DESC, id DESC")
    List<AlertRecord> allOpen();

    @SqlQuery("SELECT * FROM alerts WHERE id = :id")
    Optional<AlertRecord> byId(@Bind("id") long id);

    @SqlQuery("""
            INSERT INTO alerts (subject, event, severity, message, opened_at, last_seen_at, revision)
            VALUES (:subject, :event, :severity, :message, :at, :at, :revision)
            RETURNING *
            """)
    AlertRecord insert(@Bind("subject") String subject, @Bind("event") String event, @Bind("severity") String severity,
            @Bind("message") String message, @Bind("at") Instant at, @Bind("revision") String revision);

    @SqlQuery("""
            UPDATE alerts SET repeats = repeats + 1, last_seen_at = :at, message = :message
            WHERE id = :id RETURNING *
            """)
    AlertRecord seenAgain(@Bind("id") long id, @Bind("message") String message, @Bind("at") Instant at);

    @SqlUpdate("UPDATE alerts SET last_notified_at = :at WHERE id = :id")
    void notified(@Bind("id") long id, @Bind("at") Instant at);

    @SqlQuery("""
            UPDATE alerts SET resolved_at = :at, resolved_message = :message
            WHERE id = :id AND resolved_at IS NULL RETURNING *
            """)
    Optional<AlertRecord> resolve(@Bind("id") long id, @Bind("message") String message, @Bind("at") Instant at);

    /** Subjects of one app, of one team's apps, of the teams one may see; cluster and platform subjects only for all teams. */
    String FILTER = """
            WHERE (CAST(:app AS text) IS NULL OR subject = :app)
              AND (CAST(:team AS text) IS NULL OR split_part(subject, '/', 1) = :team)
              AND (:allTeams OR split_part(subject, '/', 1) = ANY(:visible))
              AND (CAST(:since AS timestamptz) IS NULL OR opened_at >= :since)
            """;

    @SqlQuery("SELECT * FROM alerts " + FILTER + "ORDER BY opened_at DESC, id DESC LIMIT :limit OFFSET :offset")
    List<AlertRecord> matching(@BindMethods Store.Filter filter, @Bind("allTeams") boolean allTeams,
            @Bind("visible") String[] teams, @Bind("limit") int limit, @Bind("offset") long offset);

    @SqlQuery("SELECT count(*) FROM alerts " + FILTER)
    long countMatching(@BindMethods Store.Filter filter, @Bind("allTeams") boolean allTeams,
            @Bind("visible") String[] teams);

    @SqlUpdate("""
            INSERT INTO alert_deliveries (alert_id, channel, kind, attempt, at, ok, detail)
            VALUES (:d.alertId, :d.channel, :d.kind, :d.attempt, :d.at, :d.ok, :d.detail)
            """)
    void insertDelivery(@BindMethods("d") AlertDelivery delivery);

    @SqlQuery("SELECT * FROM alert_deliveries WHERE alert_id = :alertId ORDER BY at DESC, id DESC")
    List<AlertDelivery> deliveriesOf(@Bind("alertId") long alertId);

    @SqlQuery("SELECT * FROM alert_deliveries ORDER BY at DESC, id DESC LIMIT :limit")
    List<AlertDelivery> recentDeliveries(@Bind("limit") int limit);

    @SqlQuery("""
            WITH last_ok AS (SELECT channel, max(at) AS at FROM alert_deliveries WHERE ok GROUP BY channel),
                 latest AS (SELECT DISTINCT ON (channel) channel, at, detail FROM alert_deliveries
                            ORDER BY channel, at DESC, id DESC)
            SELECT latest.channel, latest.at AS last_attempt_at, last_ok.at AS last_ok_at,
                   (SELECT count(*) FROM alert_deliveries d WHERE d.channel = latest.channel AND NOT d.ok
                      AND (last_ok.at IS NULL OR d.at > last_ok.at)) AS failures_since_ok,
                   latest.detail AS last_detail
            FROM latest LEFT JOIN last_ok ON last_ok.channel = latest.channel
            ORDER BY latest.channel
            """)
    List<ChannelHealth> channelHealth();
}
