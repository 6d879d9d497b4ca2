package io.tributary.server;

import io.tributary.apply.Reconciler;
import io.tributary.build.ProjectBuilds;
import io.tributary.model.Application;
import io.tributary.model.DesiredState;
import io.tributary.plan.SpecHash;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which jar a running {@code jar.project} job was deployed with. Git does not hold it (the reconciler
 * adds the digest of the jar a build produced), so it is found by trying the project's built jars
 * until the spec hash is the running job's: what lets "Git vs running" and {@code tributary plan}
 * say "artifact changed" instead of only "the spec hash differs".
 */
public final class DeployedArtifact {
    private DeployedArtifact() {}

    /** {@code app} with the digest its running job was deployed with, when one of the built jars gives {@code runningHash}. */
    public static Optional<Application> match(Application app, DesiredState state, String runningHash,
            Reconciler reconciler) {
        Application.Jar jar = app.spec().job().jar();
        if (runningHash == null || jar == null || jar.project() == null) {
            return Optional.empty();
        }
        List<String> candidates = new ArrayList<>();
        if (jar.project().sha256() != null) {
            candidates.add(jar.project().sha256());
        }
        reconciler.builds().ifPresent(b -> candidates.addAll(b.builtDigests(app.metadata().team(), jar.project())));
        for (String sha : candidates) {
            Application candidate = app.withProjectArtifact(sha);
            if (SpecHash.of(candidate, state).equals(runningHash)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
