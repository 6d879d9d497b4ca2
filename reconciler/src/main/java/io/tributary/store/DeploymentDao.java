package io.tributary.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Deployment history: one row per job started. */
@RegisterConstructorMapper(Deployment.class)
interface DeploymentDao {
    /** Inserts unless the job is already recorded (a resumed operation records it again). */
    @SqlUpdate("""
            INSERT INTO deployments (app, job_id, revision, spec_hash, restored_from, started_at, ended_at, end_state,
                jar_sha256)
            VALUES (:d.app, :d.jobId, :d.revision, :d.specHash, :d.restoredFrom, :d.startedAt, :d.endedAt, :d.endState,
                :d.jarSha256)
            ON CONFLICT (job_id) DO NOTHING
            """)
    void insert(@BindMethods("d") Deployment deployment);

    @SqlUpdate("UPDATE deployments SET ended_at = :at, end_state = :state WHERE job_id = :job AND ended_at IS NULL")
    int end(@Bind("job") String jobId, @Bind("at") Instant at, @Bind("state") String endState);

    @SqlQuery("SELECT * FROM deployments WHERE app = :app ORDER BY started_at DESC, id DESC LIMIT :limit")
    List<Deployment> ofApp(@Bind("app") String app, @Bind("limit") int limit);

    /** Each app's newest deployment: one row per app that ever had a job started. */
    @SqlQuery("SELECT DISTINCT ON (app) * FROM deployments ORDER BY app, started_at DESC, id DESC")
    List<Deployment> latestPerApp();

    @SqlQuery("SELECT * FROM deployments WHERE job_id = :job")
    Optional<Deployment> ofJob(@Bind("job") String jobId);
}
