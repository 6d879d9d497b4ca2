package io.tributary.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.build.ProjectBuilds.AppNote;
import io.tributary.plan.Action;
import io.tributary.plan.Health;
import io.tributary.plan.Plan;
import io.tributary.plan.Plan.AppPlan;
import io.tributary.plan.Sync;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a project build's state does to an app's plan: held without a jar, shown on the app. */
class BuildNotesTest {
    private static final AppNote CANNOT_FETCH = new AppNote(AppNote.Kind.FAILED_NO_ARTIFACT,
            "project payments/jobs cannot be fetched: environment variable JOBS_TOKEN is not set", null);
    private static final AppNote WAITING = new AppNote(AppNote.Kind.WAITING,
            "waiting for a build of project payments/jobs; the app is deployed once it has produced target/job.jar", null);

    private static AppPlan only(AppPlan app, AppNote note) {
        Plan plan = Reconciler.withBuildNotes(new Plan(List.of(), List.of(app)), Map.of(app.app(), note));
        return plan.apps().get(0);
    }

    @Test
    void anAppToDeployWithoutAJarIsHeldDegradedWhenItsBuildFailedAndProgressingWhileItWaits() {
        AppPlan deploy = new AppPlan("payments/enricher", Optional.of(new Action.Deploy("payments/enricher",
                Optional.empty(), false, "new application")), Health.PROGRESSING, Sync.OUT_OF_SYNC, "deploying");

        AppPlan failed = only(deploy, CANNOT_FETCH);
        assertThat(failed.action()).as("nothing is done without a jar").isEmpty();
        assertThat(failed.health()).isEqualTo(Health.DEGRADED);
        assertThat(failed.message()).isEqualTo(CANNOT_FETCH.message());

        AppPlan waiting = only(deploy, WAITING);
        assertThat(waiting.action()).isEmpty();
        assertThat(waiting.health()).isEqualTo(Health.PROGRESSING);
        assertThat(waiting.sync()).isEqualTo(Sync.OUT_OF_SYNC);
    }

    @Test
    void aSuspendedAppWithoutAJarStaysSuspendedAndSaysWhatItNeedsToRun() {
        AppPlan suspended = new AppPlan("payments/enricher", Optional.empty(), Health.SUSPENDED, Sync.SYNCED, "suspended");

        AppPlan failed = only(suspended, CANNOT_FETCH);
        assertThat(failed.health()).as("nothing runs and nothing should: not a fault yet").isEqualTo(Health.SUSPENDED);
        assertThat(failed.sync()).isEqualTo(Sync.SYNCED);
        assertThat(failed.message()).isEqualTo("suspended; to run it: " + CANNOT_FETCH.message());

        AppPlan waiting = only(suspended, WAITING);
        assertThat(waiting.health()).isEqualTo(Health.SUSPENDED);
        assertThat(waiting.message()).isEqualTo("suspended; " + WAITING.message());
    }

    @Test
    void aSecondNeedOfASuspendedAppIsAddedToTheFirstNotSaidAgain() {
        String first = Reconciler.toRunIt("suspended", "project p/x cannot be fetched");
        assertThat(Reconciler.toRunIt(first, "set spec.deployment.yarn.hadoopConfDir"))
                .isEqualTo("suspended; to run it: project p/x cannot be fetched; and set spec.deployment.yarn.hadoopConfDir");
    }

    @Test
    void aFailedBuildOfAnAppThatKeepsAnEarlierJarShowsDegradedEvenWhenSuspended() {
        AppNote keeps = new AppNote(AppNote.Kind.FAILED_KEEPS_RUNNING,
                "build #4 of project payments/jobs failed: Maven exited with 1; the job keeps the jar of build #3", 4L);
        AppPlan suspended = new AppPlan("payments/enricher", Optional.empty(), Health.SUSPENDED, Sync.SYNCED, "suspended");
        AppPlan shown = only(suspended, keeps);
        assertThat(shown.health()).isEqualTo(Health.DEGRADED);
        assertThat(shown.message()).isEqualTo(keeps.message());
    }
}
