package io.tributary.store;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Operators' overrides, one per app at most. */
@RegisterConstructorMapper(AppOverride.class)
interface OverrideDao {
    @SqlUpdate("""
            INSERT INTO overrides (app, pinned_state, drain, cancel_if_savepoint_fails, sync_paused, actor, reason, since)
            VALUES (:o.app, :o.pinnedState, :o.drain, :o.cancelIfSavepointFails, :o.syncPaused, :o.actor, :o.reason,
                :o.since)
            ON CONFLICT (app) DO UPDATE SET
                pinned_state = excluded.pinned_state, drain = excluded.drain,
                cancel_if_savepoint_fails = excluded.cancel_if_savepoint_fails,
                sync_paused = excluded.sync_paused, actor = excluded.actor, reason = excluded.reason,
                since = excluded.since
            """)
    void upsert(@BindMethods("o") AppOverride override);

    @SqlUpdate("DELETE FROM overrides WHERE app = :app")
    void delete(@Bind("app") String app);

    @SqlQuery("SELECT * FROM overrides WHERE app = :app")
    Optional<AppOverride> of(@Bind("app") String app);

    @SqlQuery("SELECT * FROM overrides ORDER BY app")
    List<AppOverride> all();
}
