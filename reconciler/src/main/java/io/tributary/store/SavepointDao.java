package io.tributary.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Savepoints and retained checkpoints, by path. */
@RegisterConstructorMapper(SavepointRecord.class)
interface SavepointDao {
    /** Inserts unless the path is already recorded; the first record of a path wins. */
    @SqlUpdate("""
            INSERT INTO savepoints (app, job_id, path, kind, size_bytes, created_at, disposed_at, revision)
            VALUES (:s.app, :s.jobId, :s.path, :s.kind, :s.sizeBytes, :s.createdAt, :s.disposedAt, :s.revision)
            ON CONFLICT (path) DO NOTHING
            """)
    void insert(@BindMethods("s") SavepointRecord savepoint);

    @SqlQuery("SELECT * FROM savepoints WHERE path = :path")
    Optional<SavepointRecord> ofPath(@Bind("path") String path);

    @SqlQuery("SELECT * FROM savepoints WHERE app = :app ORDER BY created_at DESC, id DESC")
    List<SavepointRecord> ofApp(@Bind("app") String app);

    @SqlQuery("""
            SELECT * FROM savepoints WHERE app = :app AND disposed_at IS NULL
            ORDER BY created_at DESC, id DESC LIMIT 1
            """)
    Optional<SavepointRecord> latestRestorable(@Bind("app") String app);

    @SqlQuery("SELECT * FROM savepoints WHERE disposed_at IS NULL ORDER BY app, created_at DESC, id DESC")
    List<SavepointRecord> allRestorable();

    /** {@link Store.Filter}'s conditions, the earliest time on {@code created_at}. */
    String FILTER = """
            WHERE (CAST(:app AS text) IS NULL OR app = :app)
              AND (CAST(:team AS text) IS NULL OR split_part(app, '/', 1) = :team)
              AND (:allTeams OR split_part(app, '/', 1) = ANY(:visible))
              AND (CAST(:since AS timestamptz) IS NULL OR created_at >= :since)
            """;

    @SqlQuery("SELECT * FROM savepoints " + FILTER + "ORDER BY created_at DESC, id DESC LIMIT :limit OFFSET :offset")
    List<SavepointRecord> matching(@BindMethods Store.Filter filter, @Bind("allTeams") boolean allTeams,
            @Bind("visible") String[] teams, @Bind("limit") int limit, @Bind("offset") long offset);

    @SqlQuery("SELECT count(*) FROM savepoints " + FILTER)
    long countMatching(@BindMethods Store.Filter filter, @Bind("allTeams") boolean allTeams,
            @Bind("visible") String[] teams);

    /** Keeps the first disposal time if disposed twice. */
    @SqlUpdate("UPDATE savepoints SET disposed_at = :at WHERE id = :id AND disposed_at IS NULL")
    int markDisposed(@Bind("id") long id, @Bind("at") Instant at);
}
