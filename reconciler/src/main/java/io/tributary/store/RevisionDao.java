package io.tributary.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Fetched revisions of the config repository. */
@RegisterConstructorMapper(RevisionRecord.class)
interface RevisionDao {
    /** A fetch again of a known revision keeps when it was applied unless the record says otherwise. */
    @SqlUpdate("""
            INSERT INTO revisions (name, id, fetched_at, valid, errors, applied_at)
            VALUES (:r.name, :r.id, :r.fetchedAt, :r.valid, :r.errors, :r.appliedAt)
            ON CONFLICT (name) DO UPDATE SET
                id = excluded.id, fetched_at = excluded.fetched_at, valid = excluded.valid, errors = excluded.errors,
                applied_at = COALESCE(excluded.applied_at, revisions.applied_at)
            """)
    void upsert(@BindMethods("r") RevisionRecord revision);

    @SqlQuery("""
            SELECT * FROM revisions WHERE applied_at IS NOT NULL
            ORDER BY applied_at DESC, fetched_at DESC LIMIT 1
            """)
    Optional<RevisionRecord> lastApplied();

    @SqlQuery("SELECT * FROM revisions ORDER BY fetched_at DESC, name LIMIT :limit")
    List<RevisionRecord> recent(@Bind("limit") int limit);

    @SqlQuery("SELECT * FROM revisions ORDER BY fetched_at DESC, name LIMIT :limit OFFSET :offset")
    List<RevisionRecord> page(@Bind("limit") int limit, @Bind("offset") long offset);

    @SqlQuery("SELECT count(*) FROM revisions")
    long count();
}
