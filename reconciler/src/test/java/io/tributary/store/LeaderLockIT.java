package io.tributary.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two replicas (two databases objects on one database, as two services would have) compete for leadership. */
class LeaderLockIT {
    private static Database replicaA;
    private static Database replicaB;

    @BeforeAll
    static void open() {
        replicaA = TestDatabase.fresh();
        replicaB = Database.connect(replicaA.jdbcUrl(), EmbeddedServer.USER, null);
    }

    @AfterAll
    static void close() {
        replicaB.close();
        replicaA.close();
    }

    @Test
    void onlyOneOfTwoAcquires() {
        try (LeaderLock a = new LeaderLock(replicaA, 1001); LeaderLock b = new LeaderLock(replicaB, 1001)) {
            assertThat(a.tryAcquire()).isTrue();
            assertThat(b.tryAcquire()).isFalse();

            assertThat(a.isHeld()).isTrue();
            assertThat(b.isHeld()).isFalse();
            assertThat(a.tryAcquire()).isTrue();
            assertThat(b.tryAcquire()).isFalse();
        }
    }

    @Test
    void theOtherAcquiresOnceTheHolderCloses() {
        try (LeaderLock a = new LeaderLock(replicaA, 1002); LeaderLock b = new LeaderLock(replicaB, 1002)) {
            assertThat(a.tryAcquire()).isTrue();
            assertThat(b.tryAcquire()).isFalse();

            a.close();

            assertThat(a.isHeld()).isFalse();
            assertThat(b.tryAcquire()).isTrue();
            assertThat(b.isHeld()).isTrue();
            assertThat(a.tryAcquire()).isFalse();
        }
    }

    @Test
    void acquiringAgainDoesNotStackTheLock() {
        try (LeaderLock a = new LeaderLock(replicaA, 1003); LeaderLock b = new LeaderLock(replicaB, 1003)) {
            for (int i = 0; i < 3; i++) {
                assertThat(a.tryAcquire()).isTrue();
            }
            a.close(); // one unlock must be enough: the session holds it once

            assertThat(b.tryAcquire()).isTrue();
        }
    }

    @Test
    void theOtherTakesOverWhenTheHoldersSessionIsKilled() {
        long key = 1004;
        try (LeaderLock a = new LeaderLock(replicaA, key); LeaderLock b = new LeaderLock(replicaB, key)) {
            assertThat(a.tryAcquire()).isTrue();
            assertThat(b.tryAcquire()).isFalse();

            int terminated = replicaB.jdbi().withHandle(h -> h.createQuery("""
                    SELECT count(pg_terminate_backend(pid)) FROM pg_locks
                    WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND classid = 0 AND objid = :key
                    """).bind("key", key).mapTo(Integer.class).one());
            assertThat(terminated).isEqualTo(1);

            assertThat(a.isHeld()).isFalse();
            assertThat(b.tryAcquire()).isTrue();
            assertThat(a.tryAcquire()).isFalse(); // a new session of a's, but b leads now

            b.close();
            assertThat(a.tryAcquire()).isTrue(); // and a leads again, on its new session
            assertThat(a.isHeld()).isTrue();
        }
    }

    @Test
    void differentKeysDoNotExclude() {
        try (LeaderLock a = new LeaderLock(replicaA, 1005); LeaderLock b = new LeaderLock(replicaB, 1006)) {
            assertThat(a.tryAcquire()).isTrue();
            assertThat(b.tryAcquire()).isTrue();
        }
    }

    @Test
    void anyBigintKeyIsSeenHeld() {
        for (long key : new long[] {-1L, Long.MIN_VALUE + 7, Long.MAX_VALUE, 0x1_0000_0001L}) {
            try (LeaderLock a = new LeaderLock(replicaA, key); LeaderLock b = new LeaderLock(replicaB, key)) {
                assertThat(a.tryAcquire()).as("key %d", key).isTrue();
                assertThat(a.isHeld()).as("key %d", key).isTrue();
                assertThat(b.tryAcquire()).as("key %d", key).isFalse();
            }
        }
    }

    @Test
    void aLockNeverAcquiredIsNotHeldAndClosesQuietly() {
        LeaderLock a = new LeaderLock(replicaA, 1007);
        assertThat(a.isHeld()).isFalse();
        a.close();
        a.close();
    }
}
