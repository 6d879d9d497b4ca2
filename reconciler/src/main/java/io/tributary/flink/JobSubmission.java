package io.tributary.flink;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything needed to start one job: the jar and how to run it, under a JobID chosen by the
 * caller, optionally restored from a savepoint or retained checkpoint.
 */
public record JobSubmission(
        JobId jobId,
        Path jar,
        String entryClass,
        List<String> args,
        int parallelism,
        String restoreFrom,
        boolean allowNonRestoredState,
        Map<String, String> flinkConfiguration) {
    public JobSubmission {
        args = List.copyOf(args);
        flinkConfiguration = Map.copyOf(flinkConfiguration);
    }
}
