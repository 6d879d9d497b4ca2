package io.tributary.plan;

import static io.tributary.plan.PlanFixtures.APP;
import static io.tributary.plan.PlanFixtures.NOW;
import static io.tributary.plan.PlanFixtures.desired;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.model.Application;
import io.tributary.model.DesiredState;
import io.tributary.model.JobState;
import io.tributary.model.Metadata;
import io.tributary.model.Resource;
import io.tributary.plan.Plan.AppPlan;
import io.tributary.plan.PlanFixtures.Obs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code spec.restore.application}: a renamed or moved app's first deploy takes the state of the app it was, and
 * never runs beside it.
 */
class RestoreFromApplicationTest {
    private static final String OLD = "payments/orders-v1";
    private static final DesiredState RENAMED = desired("restore: {application: orders-v1}");
    private static final DesiredState RENAMED_WITH_FALLBACK =
            desired("restore: {application: orders-v1}\nallowStatelessFallback: true");
    private static final Duration H = Duration.ofHours(1);

    @Test
    void aRenameInOneCommitWaitsForTheOldJobsFinalSavepoint() {
        // the same pass deletes the old app with a final savepoint
        Plan plan = Planner.plan(RENAMED, observed(Map.of(OLD, Obs.job(JobState.RUNNING, RENAMED).build(OLD))), NOW);
        assertThat(plan.app(OLD).orElseThrow().action()).get().isInstanceOf(Action.Delete.class)
                .extracting(a -> ((Action.Delete) a).finalSavepoint()).isEqualTo(true);
        AppPlan renamed = plan.app(APP).orElseThrow();
        assertThat(renamed.action()).isEmpty();
        assertThat(renamed.health()).isEqualTo(Health.PROGRESSING);
        assertThat(renamed.message()).startsWith("waiting for payments/orders-v1's job to stop");
    }

    @Test
    void whileTheOldAppsDeleteIsUnderWayTheNewOneWaits() {
        AppPlan renamed = plan(RENAMED, Map.of(OLD, Obs.job(JobState.RUNNING, RENAMED).inFlight().build(OLD)));
        assertThat(renamed.action()).isEmpty();
        assertThat(renamed.health()).isEqualTo(Health.PROGRESSING);
    }

    @Test
    void aFailedFinalSavepointOfTheOldAppIsNamedWhileTheNewOneWaits() {
        AppPlan renamed = plan(RENAMED, Map.of(OLD, Obs.job(JobState.RUNNING, RENAMED)
                .failed("delete", null, Duration.ofSeconds(5), 1).build(OLD)));
        assertThat(renamed.action()).isEmpty();
        assertThat(renamed.health()).isEqualTo(Health.DEGRADED);
        assertThat(renamed.message()).contains("its delete failed");
    }

    @Test
    void onceTheOldAppIsDeletedTheNewOneStartsFromItsFinalSavepoint() {
        Obs old = Obs.none().suspendedEarlier().savepoint(9, Duration.ofSeconds(3)).savepoint(8, H);
        Observed observed = new Observed(Map.of(APP, Obs.none().build()), Map.of("local", PlannerTest.localCluster()),
                Map.of(OLD, old.build(OLD)));
        AppPlan renamed = Planner.plan(RENAMED, observed, NOW).app(APP).orElseThrow();
        assertThat(PlannerTest.describe(renamed.action())).isEqualTo("deploy from=file:///sp/savepoint-9");
        assertThat(renamed.message()).contains("latest savepoint of payments/orders-v1");
    }

    @Test
    void theOldAppDeclaredRunningInGitKeepsTheNewOneFromStarting() {
        DesiredState both = withApp(RENAMED, "orders-v1", Application.DesiredState.RUNNING);
        AppPlan renamed = plan(both, Map.of(OLD, Obs.none().suspendedEarlier().savepoint(9, H).build(OLD)));
        assertThat(renamed.action()).as("the old app is started again by the same pass").isEmpty();
        assertThat(renamed.health()).isEqualTo(Health.DEGRADED);
        assertThat(renamed.message()).contains("is to run").contains("remove it from Git, or set it suspended");
    }

    @Test
    void theOldAppDeclaredSuspendedLendsItsSavepoint() {
        DesiredState both = withApp(RENAMED, "orders-v1", Application.DesiredState.SUSPENDED);
        AppPlan renamed = plan(both, Map.of(OLD, Obs.none().suspendedEarlier().savepoint(9, H).build(OLD)));
        assertThat(PlannerTest.describe(renamed.action())).isEqualTo("deploy from=file:///sp/savepoint-9");
    }

    @Test
    void anOldJobKeptRunningByPruneFalseIsNamed() {
        AppPlan renamed = plan(RENAMED, Map.of(OLD, Obs.job(JobState.RUNNING, RENAMED).notPruned().build(OLD)));
        assertThat(renamed.health()).isEqualTo(Health.DEGRADED);
        assertThat(renamed.message()).contains("prune: false");
    }

    @Test
    void anOldJobStoppedWithASavepointOutsideTributaryLendsThatSavepointNotAnOlderOne() {
        Obs old = Obs.job(JobState.FINISHED, RENAMED).stoppedOutsideWith("file:///by-hand/savepoint-10").notPruned()
                .savepoint(3, H);
        AppPlan renamed = plan(RENAMED, Map.of(OLD, old.build(OLD)));
        assertThat(PlannerTest.describe(renamed.action())).isEqualTo("deploy from=file:///by-hand/savepoint-10");
    }

    @Test
    void anUnknownAppIsNotStartedWithoutStateUnlessTheFallbackAllows() {
        AppPlan typo = plan(RENAMED, Map.of());
        assertThat(typo.action()).isEmpty();
        assertThat(typo.health()).isEqualTo(Health.DEGRADED);
        assertThat(typo.message()).contains("no application payments/orders-v1 is known to Tributary");
        AppPlan fallback = plan(RENAMED_WITH_FALLBACK, Map.of());
        assertThat(PlannerTest.describe(fallback.action())).isEqualTo("deploy from=-");
    }

    @Test
    void onlyTheFirstStartRestoresFromAnotherApp() {
        Observed observed = new Observed(Map.of(APP, Obs.none().suspendedEarlier().savepoint(3, H).build()),
                Map.of("local", PlannerTest.localCluster()),
                Map.of(OLD, Obs.none().suspendedEarlier().savepoint(9, Duration.ofSeconds(1)).build(OLD)));
        AppPlan resumed = Planner.plan(RENAMED, observed, NOW).app(APP).orElseThrow();
        assertThat(PlannerTest.describe(resumed.action())).isEqualTo("resume from=file:///sp/savepoint-3");
    }

    private static AppPlan plan(DesiredState desired, Map<String, AppObservation> others) {
        return Planner.plan(desired, observed(others), NOW).app(APP).orElseThrow();
    }

    private static Observed observed(Map<String, AppObservation> others) {
        Map<String, AppObservation> apps = new java.util.HashMap<>(others);
        apps.put(APP, Obs.none().build());
        return new Observed(apps, Map.of("local", PlannerTest.localCluster()));
    }

    /** {@code desired} with a copy of payments/orders named {@code name}, without its restore, in {@code state}. */
    private static DesiredState withApp(DesiredState desired, String name, Application.DesiredState state) {
        Application orders = PlanFixtures.orders(desired);
        Application.Spec s = orders.spec();
        Application copy = new Application(new Metadata(name, "payments", Map.of(), Map.of()),
                new Application.Spec(s.flinkVersion(), s.deployment(), s.job(), s.parallelism(), state, s.upgradeMode(),
                        s.allowStatelessFallback(), null, s.checkpoints(), s.savepoints(), s.restartPolicy(),
                        s.flinkConfiguration(), s.alertPolicies(), s.prune()));
        List<Resource> resources = new ArrayList<>(desired.resources().values());
        resources.add(copy);
        return DesiredState.of(resources);
    }
}
