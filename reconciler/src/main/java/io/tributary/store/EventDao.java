package io.tributary.store;

import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Events of apps and the audit trail: append-only, read newest first. */
@RegisterConstructorMapper(AppEvent.class)
@RegisterConstructorMapper(AuditEvent.class)
interface EventDao {
    @SqlQuery("""
            INSERT INTO app_events (at, app, type, severity, message, revision)
            VALUES (:e.at, :e.app, :e.type, :e.severity, :e.message, :e.revision)
            RETURNING *
            """)
    AppEvent insert(@BindMethods("e") AppEvent event);

    @SqlQuery("SELECT * FROM app_events WHERE app = :app ORDER BY at DESC, id DESC LIMIT :limit")
    List<AppEvent> ofApp(@Bind("app") String app, @Bind("limit") int limit);

    @SqlQuery("SELECT * FROM app_events ORDER BY at DESC, id DESC LIMIT :limit")
    List<AppEvent> recent(@Bind("limit") int limit);

    /** {@link Store.Filter}'s conditions: the app, the team, the teams one may see, and the earliest time. */
    String FILTER = """
            WHERE (CAST(:app AS text) IS NULL OR app = :app)
              AND (CAST(:team AS text) IS NULL OR split_part(app, '/', 1) = :team)
              AND (:allTeams OR split_part(app, '/', 1) = ANY(:visible))
              AND (CAST(:since AS timestamptz) IS NULL OR at >= :since)
            """;

    @SqlQuery("SELECT * FROM app_events " + FILTER + "ORDER BY at DESC, id DESC LIMIT :limit OFFSET :offset")
    List<AppEvent> matching(@BindMethods Store.Filter filter, @Bind("allTeams") boolean allTeams,
            @Bind("visible") String[] teams, @Bind("limit") int limit, @Bind("offset") long offset);

    @SqlQuery("SELECT count(*) FROM app_events " + FILTER)
    long countMatching(@BindMethods Store.Filter filter, @Bind("allTeams") boolean allTeams,
            @Bind("visible") String[] teams);

    @SqlUpdate("""
            INSERT INTO audit_events (at, actor, action, target, reason, details)
            VALUES (:a.at, :a.actor, :a.action, :a.target, :a.reason, :a.details)
            """)
    void insertAudit(@BindMethods("a") AuditEvent event);

    @SqlQuery("SELECT * FROM audit_events ORDER BY at DESC, id DESC LIMIT :limit")
    List<AuditEvent> audit(@Bind("limit") int limit);

    /**
     * {@link Store.AuditFilter}'s conditions: what the viewer may see (their own entries, and those whose
     * target is an application or project of a team in {@code visible}), then the target, actor and time.
     */
    String AUDIT_FILTER = """
            WHERE (:allTeams OR actor = :viewer
                   OR split_part(target, ' ', 1) IN ('application', 'project')
                      AND split_part(split_part(target, ' ', 2), '/', 1) = ANY(:visible))
              AND (CAST(:target AS text) IS NULL OR target = :target)
              AND (CAST(:actor AS text) IS NULL OR actor = :actor)
              AND (CAST(:since AS timestamptz) IS NULL OR at >= :since)
            """;

    @SqlQuery("SELECT * FROM audit_events " + AUDIT_FILTER + "ORDER BY at DESC, id DESC LIMIT :limit OFFSET :offset")
    List<AuditEvent> auditMatching(@BindMethods Store.AuditFilter filter, @Bind("allTeams") boolean allTeams,
            @Bind("visible") String[] teams, @Bind("limit") int limit, @Bind("offset") long offset);

    @SqlQuery("SELECT count(*) FROM audit_events " + AUDIT_FILTER)
    long countAuditMatching(@BindMethods Store.AuditFilter filter, @Bind("allTeams") boolean allTeams,
            @Bind("visible") String[] teams);
}
