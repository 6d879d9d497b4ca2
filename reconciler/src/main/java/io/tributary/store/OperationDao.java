package io.tributary.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/** The intent log. */
@RegisterConstructorMapper(Operation.class)
interface OperationDao {
    @SqlQuery("""
            INSERT INTO operations (app, kind, step, revision, cluster, spec_hash, old_job_id, new_job_id, trigger_id,
                                    savepoint_path, restore_from, status, error, actor, created_at, updated_at)
            VALUES (:o.app, :o.kind, :o.step, :o.revision, :o.cluster, :o.specHash, :o.oldJobId, :o.newJobId,
                    :o.triggerId, :o.savepointPath, :o.restoreFrom, :o.status, :o.error, :o.actor, :o.createdAt,
                    :o.updatedAt)
            RETURNING *
            """)
    Operation insert(@BindMethods("o") Operation operation);

    /** Writes what an operation learns as it goes; what it was started with stays. */
    @SqlQuery("""
            UPDATE operations SET step = :o.step, new_job_id = :o.newJobId, trigger_id = :o.triggerId,
                                  savepoint_path = :o.savepointPath, restore_from = :o.restoreFrom,
                                  status = :o.status, error = :o.error, updated_at = :o.updatedAt
            WHERE id = :o.id
            RETURNING *
            """)
    Optional<Operation> update(@BindMethods("o") Operation operation);

    @SqlQuery("SELECT * FROM operations WHERE status = 'open' ORDER BY id")
    List<Operation> open();

    @SqlQuery("SELECT * FROM operations WHERE app = :app ORDER BY id DESC LIMIT :limit")
    List<Operation> ofApp(@Bind("app") String app, @Bind("limit") int limit);

    @SqlQuery("""
            SELECT * FROM operations
            WHERE app = :app AND (CAST(:kind AS text) IS NULL OR kind = :kind) AND created_at >= :since
            ORDER BY created_at DESC, id DESC
            """)
    List<Operation> since(@Bind("app") String app, @Bind("kind") String kind, @Bind("since") Instant since);

    @SqlQuery("""
            SELECT id, app, kind, step, revision, cluster, spec_hash, old_job_id, new_job_id, trigger_id, savepoint_path,
                   restore_from, status, error, actor, created_at, updated_at
            FROM (SELECT o.*, row_number() OVER (PARTITION BY app ORDER BY id DESC) AS nth FROM operations o) latest
            WHERE nth <= :n ORDER BY app, id DESC
            """)
    List<Operation> latestPerApp(@Bind("n") int n);

    @SqlQuery("SELECT * FROM operations WHERE kind = :kind AND created_at >= :since ORDER BY app, created_at DESC, id DESC")
    List<Operation> sinceOfKind(@Bind("kind") String kind, @Bind("since") Instant since);
}
