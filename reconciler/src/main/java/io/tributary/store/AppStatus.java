package io.tributary.store;

import io.tributary.model.Application;
import io.tributary.model.DesiredState;
import java.time.Instant;
import java.util.Optional;

/**
 * What the service last knew of one application. {@code id} is the app's stable number from
 * {@link Store#appId}: it is read, never written, through this record.
 *
 * @param cluster where the app's job was started (while it has one), else where Git puts it: a session
 *     cluster's name, or {@link DesiredState#appClusterName} for its own cluster
 */
public record AppStatus(String app, long id, String jobId, String specHash, String revision, String cluster,
        String deploymentMode, String jobState, String health, String sync, String message, Instant updatedAt) {

    /**
     * The session cluster people are shown for an app: the one Git names while Git declares it (none in
     * the modes that bring their own cluster), else the one its job ran on.
     */
    public static String sessionCluster(Optional<Application> spec, Optional<AppStatus> status) {
        if (spec.isPresent()) {
            return spec.get().spec().deployment().cluster();
        }
        return status.map(AppStatus::cluster).filter(c -> DesiredState.appOfCluster(c).isEmpty()).orElse(null);
    }
}
