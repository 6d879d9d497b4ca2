package io.tributary.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leadership among service replicas sharing one database: a PostgreSQL session advisory lock on a
 * connection of its own, outside the pool, held as long as that session lives. When the leader dies or
 * its session is cut, PostgreSQL releases the lock and another replica's next {@link #tryAcquire} wins.
 *
 * <p>Calls are synchronized; a leader calls {@link #isHeld} before acting on its leadership.
 */
public final class LeaderLock implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderLock.class);
    private static final int QUERY_TIMEOUT_SECONDS = 5;

    private final Database db;
    private final long key;
    private Connection connection;
    private boolean held;

    public LeaderLock(Database db, long key) {
        this.db = db;
        this.key = key;
    }

    /**
     * Takes the lock if no other session holds it; true if this one holds it now (already or newly). A
     * dead session is replaced by a new one first.
     */
    public synchronized boolean tryAcquire() {
        if (held && isHeld()) {
            return true;
        }
        try {
            if (connection == null || !connection.isValid(QUERY_TIMEOUT_SECONDS)) {
                closeConnection();
                connection = db.openConnection("tributary-leader");
            }
            try (PreparedStatement s = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
                s.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
                s.setLong(1, key);
                try (ResultSet rs = s.executeQuery()) {
                    held = rs.next() && rs.getBoolean(1);
                }
            }
            if (held) {
                LOG.info("leader lock acquired key={}", key);
            }
            return held;
        } catch (SQLException e) {
            LOG.warn("leader lock not acquired key={} error=\"{}\"", key, e.getMessage());
            closeConnection();
            held = false;
            return false;
        }
    }

    /** Whether this lock's session is alive and holds the lock; false once it was lost. */
    public synchronized boolean isHeld() {
        if (!held) {
            return false;
        }
        boolean still;
        try (PreparedStatement s = connection.prepareStatement("""
                SELECT count(*) > 0 FROM pg_locks
                WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid() AND objsubid = 1
                  AND ((classid::bigint << 32) | objid::bigint) = ?
                """)) {
            s.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            s.setLong(1, key);
            try (ResultSet rs = s.executeQuery()) {
                still = rs.next() && rs.getBoolean(1);
            }
        } catch (SQLException e) {
            still = false;
        }
        if (!still) {
            LOG.warn("leader lock lost key={}", key);
            held = false;
            closeConnection();
        }
        return still;
    }

    /** Releases the lock, if held, and closes the session. */
    @Override
    public synchronized void close() {
        if (held && connection != null) {
            try (PreparedStatement s = connection.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                s.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
                s.setLong(1, key);
                s.execute();
                LOG.info("leader lock released key={}", key);
            } catch (SQLException e) {
                LOG.debug("unlock failed key={}; closing the session releases it", key, e);
            }
        }
        held = false;
        closeConnection();
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // a dead session is closed already
            }
            connection = null;
        }
    }
}
