package io.tributary.plan;

import io.tributary.model.Application.UpgradeMode;
import java.util.List;
import java.util.Optional;

/**
 * The next step the planner chose for one application. Apply executes it as a persisted,
 * resumable operation; the planner only decides.
 */
public sealed interface Action {

    /** The application this action is about, as {@code team/name}. */
    String app();

    /** Why the planner chose it, in words an operator reads on the dashboard. */
    String reason();

    /** The kind as stored in the operation log and shown in the UI. */
    String kind();

    /** First start of an application, or a start after its job vanished for good with no state to restore. */
    record Deploy(String app, Optional<String> restoreFrom, boolean allowNonRestoredState, String reason)
            implements Action {
        public String kind() {
            return "deploy";
        }
    }

    /** The spec changed while the job runs: replace the job the way {@code mode} says. */
    record Upgrade(String app, String oldJobId, UpgradeMode mode, boolean allowStatelessFallback, String reason)
            implements Action {
        public String kind() {
            return "upgrade";
        }
    }

    /**
     * Git (or an override) wants the application suspended, or its job moved to another cluster: stop
     * with a savepoint. A move stops the job the way the app's upgrades would ({@code mode},
     * {@code allowStatelessFallback}): {@code last-state} cancels it and the next start resumes from its
     * latest checkpoint; a failed savepoint with the fallback allowed cancels it as well.
     */
    record Suspend(String app, String jobId, boolean drain, UpgradeMode mode, boolean allowStatelessFallback,
            String reason) implements Action {
        /** Stopped with a savepoint, nothing else: what suspending asks for. */
        public Suspend(String app, String jobId, boolean drain, String reason) {
            this(app, jobId, drain, UpgradeMode.SAVEPOINT, false, reason);
        }

        public String kind() {
            return "suspend";
        }
    }

    /** Start a suspended application again from the savepoint it was stopped with. */
    record Resume(String app, String savepoint, String reason) implements Action {
        public String kind() {
            return "resume";
        }
    }

    /** The job failed or was cancelled outside Tributary: start it again per the restart policy. */
    record Restart(String app, String failedJobId, Optional<String> restoreFrom, String reason) implements Action {
        public String kind() {
            return "restart";
        }
    }

    /** A periodic savepoint is due. */
    record TakeSavepoint(String app, String jobId, String reason) implements Action {
        public String kind() {
            return "savepoint";
        }
    }

    /** Savepoints past the retention policy: dispose them in Flink, keep their records. */
    record DisposeSavepoints(String app, List<Long> savepointIds, String reason) implements Action {
        public DisposeSavepoints {
            savepointIds = List.copyOf(savepointIds);
        }

        public String kind() {
            return "dispose-savepoints";
        }
    }

    /** Removed from Git with {@code prune}: a final savepoint (unless stateless), then forget the job. */
    record Delete(String app, Optional<String> jobId, boolean finalSavepoint, String reason) implements Action {
        public String kind() {
            return "delete";
        }
    }
}
