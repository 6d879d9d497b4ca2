-- A savepoint Tributary did not take that a job of the app started from: one a job was stopped with
-- outside Tributary (Flink's UI or CLI), or spec.restore.savepoint. Kept as a restore point, never
-- disposed by retention: its files are someone else's.
ALTER TABLE savepoints DROP CONSTRAINT savepoints_kind_check;
ALTER TABLE savepoints ADD CONSTRAINT savepoints_kind_check
    CHECK (kind IN ('savepoint', 'periodic', 'final', 'checkpoint', 'manual', 'external'));
