package io.tributary.store;

import java.time.Instant;
import java.util.Set;

/**
 * One step-by-step action on an application (deploy, upgrade, suspend, ...), written before any call to
 * Flink and updated as it goes, so that a restarted service can resume it. {@code status} is one of
 * {@link #OPEN}, {@link #DONE}, {@link #FAILED}, {@link #ROLLED_BACK}. {@code cluster} is null on rows
 * written before the service recorded it.
 */
public record Operation(long id, String app, String kind, String step, String revision, String cluster,
        String specHash, String oldJobId, String newJobId, String triggerId, String savepointPath, String restoreFrom, String status,
        String error, String actor, Instant createdAt, Instant updatedAt) {

    public static final String OPEN = "open";
    public static final String DONE = "done";
    public static final String FAILED = "failed";
    public static final String ROLLED_BACK = "rolled-back";

    static final Set<String> STATUSES = Set.of(OPEN, DONE, FAILED, ROLLED_BACK);

    /** A new open operation to {@link Store#begin}; id and timestamps are the store's. */
    public static Operation open(String app, String kind, String revision, String specHash, String oldJobId,
            String actor) {
        return new Operation(0, app, kind, null, revision, null, specHash, oldJobId, null, null, null, null, OPEN, null,
                actor, null, null);
    }

    /** The cluster the operation acts on (a job it starts is submitted there), written with the intent. */
    public Operation withCluster(String clusterName) {
        return new Operation(id, app, kind, step, revision, clusterName, specHash, oldJobId, newJobId, triggerId,
                savepointPath, restoreFrom, status, error, actor, createdAt, updatedAt);
    }

    public Operation withStep(String newStep) {
        return new Operation(id, app, kind, newStep, revision, cluster, specHash, oldJobId, newJobId, triggerId, savepointPath,
                restoreFrom, status, error, actor, createdAt, updatedAt);
    }

    public Operation withNewJobId(String jobId) {
        return new Operation(id, app, kind, step, revision, cluster, specHash, oldJobId, jobId, triggerId, savepointPath,
                restoreFrom, status, error, actor, createdAt, updatedAt);
    }

    public Operation withTriggerId(String trigger) {
        return new Operation(id, app, kind, step, revision, cluster, specHash, oldJobId, newJobId, trigger, savepointPath,
                restoreFrom, status, error, actor, createdAt, updatedAt);
    }

    public Operation withSavepointPath(String path) {
        return new Operation(id, app, kind, step, revision, cluster, specHash, oldJobId, newJobId, triggerId, path,
                restoreFrom, status, error, actor, createdAt, updatedAt);
    }

    public Operation withRestoreFrom(String path) {
        return new Operation(id, app, kind, step, revision, cluster, specHash, oldJobId, newJobId, triggerId, savepointPath,
                path, status, error, actor, createdAt, updatedAt);
    }

    /** This operation ended with {@code newStatus} and, if it failed, {@code newError}. */
    public Operation withStatus(String newStatus, String newError) {
        return new Operation(id, app, kind, step, revision, cluster, specHash, oldJobId, newJobId, triggerId, savepointPath,
                restoreFrom, newStatus, newError, actor, createdAt, updatedAt);
    }

    Operation withTimes(Instant created, Instant updated) {
        return new Operation(id, app, kind, step, revision, cluster, specHash, oldJobId, newJobId, triggerId, savepointPath,
                restoreFrom, status, error, actor, created, updated);
    }
}
