package io.tributary.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** App ids and statuses. */
@RegisterConstructorMapper(AppStatus.class)
interface AppDao {
    @SqlQuery("SELECT id FROM apps WHERE name = :app")
    Optional<Long> idOf(@Bind("app") String app);

    /** Inserts the app's row unless a concurrent caller did first (its id then wins). */
    @SqlUpdate("INSERT INTO apps (name, created_at) VALUES (:app, :at) ON CONFLICT (name) DO NOTHING")
    void insertApp(@Bind("app") String app, @Bind("at") Instant at);

    @SqlQuery("SELECT name, id FROM apps")
    @org.jdbi.v3.sqlobject.config.KeyColumn("name")
    @org.jdbi.v3.sqlobject.config.ValueColumn("id")
    java.util.Map<String, Long> ids();

    @SqlQuery("SELECT name FROM apps WHERE id = :id")
    Optional<String> nameOf(@Bind("id") long id);

    @SqlUpdate("""
            INSERT INTO app_statuses (app, job_id, spec_hash, revision, cluster, deployment_mode, job_state, health,
                                      sync, message, updated_at)
            VALUES (:s.app, :s.jobId, :s.specHash, :s.revision, :s.cluster, :s.deploymentMode, :s.jobState, :s.health,
                    :s.sync, :s.message, :s.updatedAt)
            ON CONFLICT (app) DO UPDATE SET
                job_id = excluded.job_id, spec_hash = excluded.spec_hash, revision = excluded.revision,
                cluster = excluded.cluster, deployment_mode = excluded.deployment_mode,
                job_state = excluded.job_state, health = excluded.health, sync = excluded.sync,
                message = excluded.message, updated_at = excluded.updated_at
            """)
    void upsertStatus(@BindMethods("s") AppStatus status);

    /**
     * As {@link #upsertStatus}, but an existing row keeps its job, spec and revision: those are the operations'.
     * An observation of a job the row no longer names (an operation replaced or stopped it after the pass read
     * the row) writes nothing; the count says whether it wrote.
     */
    @SqlUpdate("""
            INSERT INTO app_statuses (app, job_id, spec_hash, revision, cluster, deployment_mode, job_state, health,
                                      sync, message, updated_at)
            VALUES (:s.app, :s.jobId, :s.specHash, :s.revision, :s.cluster, :s.deploymentMode, :s.jobState, :s.health,
                    :s.sync, :s.message, :s.updatedAt)
            ON CONFLICT (app) DO UPDATE SET
                cluster = excluded.cluster, deployment_mode = excluded.deployment_mode,
                job_state = excluded.job_state, health = excluded.health, sync = excluded.sync,
                message = excluded.message, updated_at = excluded.updated_at
            WHERE app_statuses.job_id IS NOT DISTINCT FROM excluded.job_id
            """)
    int upsertObserved(@BindMethods("s") AppStatus status);

    String SELECT_STATUS = """
            SELECT s.app, a.id, s.job_id, s.spec_hash, s.revision, s.cluster, s.deployment_mode, s.job_state, s.health,
                   s.sync, s.message, s.updated_at
            FROM app_statuses s JOIN apps a ON a.name = s.app
            """;

    @SqlQuery(SELECT_STATUS + "WHERE s.app = :app")
    Optional<AppStatus> status(@Bind("app") String app);

    @SqlQuery(SELECT_STATUS + "ORDER BY s.app")
    List<AppStatus> statuses();

    @SqlUpdate("UPDATE app_statuses SET health = :health, sync = :sync, message = :message, updated_at = :at WHERE app = :app")
    int updateHealth(@Bind("app") String app, @Bind("health") String health, @Bind("sync") String sync,
            @Bind("message") String message, @Bind("at") Instant at);

    @SqlUpdate("DELETE FROM app_statuses WHERE app = :app")
    void deleteStatus(@Bind("app") String app);
}
