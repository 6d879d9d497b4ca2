package io.tributary.plan;

import static io.tributary.plan.PlanFixtures.APP;
import static io.tributary.plan.PlanFixtures.NOW;
import static io.tributary.plan.PlanFixtures.desired;
import static io.tributary.plan.PlanFixtures.hash;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.model.Application;
import io.tributary.model.Application.UpgradeMode;
import io.tributary.model.DesiredState;
import io.tributary.model.JobState;
import io.tributary.plan.PlanFixtures.Obs;
import io.tributary.plan.Plan.AppPlan;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every transition of one application, as a table: desired state, observation -> action and status. */
class PlannerTest {
    private static final DesiredState RUNNING = desired("");
    private static final DesiredState RATE_CHANGED = desired("", "20");
    private static final DesiredState SUSPENDED = desired("state: suspended");
    private static final DesiredState STATELESS_UPGRADE = desired("upgradeMode: stateless\nallowStatelessFallback: true", "20");
    private static final DesiredState LAST_STATE_UPGRADE = desired("upgradeMode: last-state", "20");
    private static final DesiredState LAST_STATE = desired("upgradeMode: last-state");
    private static final DesiredState WITH_FALLBACK = desired("allowStatelessFallback: true");
    private static final DesiredState SUSPENDED_WITH_FALLBACK = desired("state: suspended\nallowStatelessFallback: true");
    private static final DesiredState WITH_RESTORE = desired("restore: {savepoint: 'file:///old/sp-1', allowNonRestoredState: true}");
    private static final DesiredState FROM_SAVEPOINT = desired("restartPolicy: {from: last-savepoint}");
    private static final DesiredState NEVER_RESTART = desired("restartPolicy: {maxRestarts: 0}");
    private static final DesiredState NEVER_RESTART_RATE_CHANGED = desired("restartPolicy: {maxRestarts: 0}", "20");
    private static final DesiredState ALERT_ONLY = desired("restartPolicy: {from: none}");
    private static final DesiredState ALERT_ONLY_RATE_CHANGED = desired("restartPolicy: {from: none}", "20");
    private static final DesiredState PERIODIC = desired("savepoints: {periodic: 6h}");
    private static final DesiredState KEEP_TWO = desired("savepoints: {retention: {maxCount: 2}}");
    private static final DesiredState SUSPENDED_KEEP_A_DAY = desired("state: suspended\nsavepoints: {retention: {maxAge: 1d}}");
    private static final Duration H = Duration.ofHours(1);
    private static final Duration S = Duration.ofSeconds(1);

    static Stream<Arguments> transitions() {
        return Stream.of(
                row("new app is deployed fresh", RUNNING, Obs.none(), "deploy from=-", Health.MISSING),
                row("first start restores spec.restore", WITH_RESTORE, Obs.none(), "deploy from=file:///old/sp-1", Health.MISSING),
                row("spec.restore only counts for the first start", WITH_RESTORE,
                        Obs.none().suspendedEarlier(), "deploy from=-", Health.MISSING),
                row("running job matching Git is left alone", RUNNING, Obs.job(JobState.RUNNING, RUNNING), "-", Health.HEALTHY),
                row("starting job is progressing", RUNNING, Obs.job(JobState.INITIALIZING, RUNNING), "-", Health.PROGRESSING),
                row("a running job whose tasks wait for slots is progressing a while", RUNNING,
                        Obs.job(JobState.RUNNING, RUNNING).tasksWaiting(0, 6, Duration.ofMinutes(1)), "-",
                        Health.PROGRESSING),
                row("a running job whose tasks wait for minutes is degraded", RUNNING,
                        Obs.job(JobState.RUNNING, RUNNING).tasksWaiting(0, 6, Duration.ofMinutes(4)), "-",
                        Health.DEGRADED),
                row("a job Flink keeps restarting for minutes is degraded", RUNNING,
                        Obs.job(JobState.RESTARTING, RUNNING).tasksWaiting(2, 6, Duration.ofMinutes(10)), "-",
                        Health.DEGRADED),
                row("a job whose tasks have not all run for a minute is upgraded from its latest checkpoint",
                        RATE_CHANGED, Obs.job(JobState.RUNNING, RUNNING).tasksWaiting(0, 6, Duration.ofMinutes(2)),
                        "upgrade last-state fallback=false", Health.PROGRESSING),
                row("a job just started, its tasks not yet all running, is upgraded with a savepoint", RATE_CHANGED,
                        Obs.job(JobState.RUNNING, RUNNING).tasksWaiting(0, 6, Duration.ofSeconds(5)),
                        "upgrade savepoint fallback=false", Health.PROGRESSING),
                row("no periodic savepoint of a job whose tasks do not all run", PERIODIC,
                        Obs.job(JobState.RUNNING, PERIODIC).startedAgo(Duration.ofHours(10)).savepoint(5, Duration.ofHours(7))
                                .tasksWaiting(3, 6, Duration.ofMinutes(1)), "-",
                        Health.PROGRESSING),
                row("changed variable upgrades with a savepoint", RATE_CHANGED, Obs.job(JobState.RUNNING, RUNNING),
                        "upgrade savepoint fallback=false", Health.PROGRESSING),
                row("stateless upgrade mode is carried", STATELESS_UPGRADE, Obs.job(JobState.RUNNING, RUNNING),
                        "upgrade stateless fallback=true", Health.PROGRESSING),
                row("last-state upgrade mode is carried", LAST_STATE_UPGRADE, Obs.job(JobState.RUNNING, RUNNING),
                        "upgrade last-state fallback=false", Health.PROGRESSING),
                row("a failed upgrade waits its backoff and shows degraded", RATE_CHANGED,
                        Obs.job(JobState.RUNNING, RUNNING).failed("upgrade", hash(RATE_CHANGED), Duration.ofSeconds(5), 1),
                        "-", Health.DEGRADED),
                row("a failed upgrade is retried after its backoff", RATE_CHANGED,
                        Obs.job(JobState.RUNNING, RUNNING).failed("upgrade", hash(RATE_CHANGED), Duration.ofSeconds(11), 1),
                        "upgrade savepoint fallback=false", Health.PROGRESSING),
                row("backoff doubles with attempts", RATE_CHANGED,
                        Obs.job(JobState.RUNNING, RUNNING).failed("upgrade", hash(RATE_CHANGED), Duration.ofSeconds(30), 3),
                        "-", Health.DEGRADED),
                row("a failure for an older spec does not hold back a new one", RATE_CHANGED,
                        Obs.job(JobState.RUNNING, RUNNING).failed("upgrade", "old", Duration.ofSeconds(1), 5),
                        "upgrade savepoint fallback=false", Health.PROGRESSING),
                row("suspended in Git stops with a savepoint", SUSPENDED, Obs.job(JobState.RUNNING, RUNNING), "suspend", Health.PROGRESSING),
                row("suspended in Git may cancel the job when its savepoint fails if the app allows the fallback",
                        SUSPENDED_WITH_FALLBACK, Obs.job(JobState.RUNNING, RUNNING), "suspend fallback",
                        Health.PROGRESSING),
                row("a job on another cluster than Git's stops with a savepoint to move", RUNNING,
                        Obs.job(JobState.RUNNING, RUNNING).onCluster("old-local"), "suspend", Health.PROGRESSING),
                row("a last-state app moves by cancelling, to resume from its latest checkpoint", LAST_STATE,
                        Obs.job(JobState.RUNNING, LAST_STATE).onCluster("old-local"), "suspend last-state",
                        Health.PROGRESSING),
                row("a move may cancel the job when its savepoint fails if the app allows the fallback", WITH_FALLBACK,
                        Obs.job(JobState.RUNNING, WITH_FALLBACK).onCluster("old-local"), "suspend fallback",
                        Health.PROGRESSING),
                row("a failed move waits its backoff with the job where it runs", RUNNING,
                        Obs.job(JobState.RUNNING, RUNNING).onCluster("old-local").failed("suspend", null, S, 1), "-",
                        Health.DEGRADED),
                row("a failed job on another cluster than Git's restarts on Git's", RUNNING,
                        Obs.job(JobState.FAILED, RUNNING).onCluster("old-local"), "restart from=file:///cp/chk-7",
                        Health.DEGRADED),
                row("a job on another cluster whose app is suspended in Git stops", SUSPENDED,
                        Obs.job(JobState.RUNNING, RUNNING).onCluster("old-local"), "suspend", Health.PROGRESSING),
                row("suspended app stays suspended", SUSPENDED, Obs.none().suspendedEarlier().savepoint(3, H), "-", Health.SUSPENDED),
                row("running again resumes from the last savepoint", RUNNING,
                        Obs.none().suspendedEarlier().savepoint(3, H).savepoint(2, H.multipliedBy(2)),
                        "resume from=file:///sp/savepoint-3", Health.PROGRESSING),
                row("failed job restarts from its last checkpoint", RUNNING, Obs.job(JobState.FAILED, RUNNING),
                        "restart from=file:///cp/chk-7", Health.DEGRADED),
                row("without a checkpoint a restart falls back to the last savepoint", RUNNING,
                        Obs.job(JobState.FAILED, RUNNING).noCheckpoint().savepoint(4, H),
                        "restart from=file:///sp/savepoint-4", Health.DEGRADED),
                row("restartPolicy.from last-savepoint", FROM_SAVEPOINT,
                        Obs.job(Optional.of(JobState.CANCELED), hash(FROM_SAVEPOINT), UpgradeMode.SAVEPOINT).savepoint(4, H),
                        "restart from=file:///sp/savepoint-4", Health.DEGRADED),
                row("a job Flink suspended (its JobManager lost leadership) is left for Flink to recover", RUNNING,
                        Obs.job(JobState.SUSPENDED, RUNNING), "-", Health.DEGRADED),
                row("a job the cluster forgot is restarted", RUNNING,
                        Obs.job(Optional.empty(), hash(RUNNING), UpgradeMode.SAVEPOINT), "restart from=file:///cp/chk-7", Health.DEGRADED),
                row("restarts wait a growing backoff", RUNNING,
                        Obs.job(JobState.FAILED, RUNNING).restartedAgo(S.multipliedBy(5)), "-", Health.DEGRADED),
                row("restart after the backoff", RUNNING,
                        Obs.job(JobState.FAILED, RUNNING).restartedAgo(S.multipliedBy(15)), "restart from=file:///cp/chk-7", Health.DEGRADED),
                row("restarts past maxRestarts in the window degrade", RUNNING,
                        Obs.job(JobState.FAILED, RUNNING).restartedAgo(Duration.ofMinutes(1), Duration.ofMinutes(3), Duration.ofMinutes(5)),
                        "-", Health.DEGRADED),
                row("restarts older than the window do not count", RUNNING,
                        Obs.job(JobState.FAILED, RUNNING).restartedAgo(Duration.ofMinutes(11), Duration.ofMinutes(12), Duration.ofMinutes(13)),
                        "restart from=file:///cp/chk-7", Health.DEGRADED),
                row("maxRestarts 0 never restarts", NEVER_RESTART, Obs.job(JobState.FAILED, NEVER_RESTART), "-", Health.DEGRADED),
                row("past maxRestarts, a fix in Git starts the job at once", RATE_CHANGED,
                        Obs.job(JobState.FAILED, RUNNING).restartedAgo(Duration.ofMinutes(1), Duration.ofMinutes(3), Duration.ofMinutes(5)),
                        "restart from=file:///cp/chk-7", Health.DEGRADED),
                row("past maxRestarts refused by Flink, a revert in Git starts the job at once", RUNNING,
                        Obs.job(JobState.FAILED, RUNNING).restartedAgo(S, Duration.ofMinutes(1), Duration.ofMinutes(2))
                                .failed("restart", hash(RATE_CHANGED), S, 3),
                        "restart from=file:///cp/chk-7", Health.DEGRADED),
                row("a restart of Git's spec refused by Flink waits its backoff", RATE_CHANGED,
                        Obs.job(JobState.FAILED, RUNNING).restartedAgo(S).failed("restart", hash(RATE_CHANGED), S, 1),
                        "-", Health.DEGRADED),
                row("a restart of Git's spec refused past maxRestarts is not tried again", RATE_CHANGED,
                        Obs.job(JobState.FAILED, RUNNING).restartedAgo(S, Duration.ofMinutes(1), Duration.ofMinutes(2))
                                .failed("restart", hash(RATE_CHANGED), S, 3),
                        "-", Health.DEGRADED),
                row("maxRestarts 0, a new spec in Git starts the job", NEVER_RESTART_RATE_CHANGED, Obs.job(JobState.FAILED, NEVER_RESTART),
                        "restart from=file:///cp/chk-7", Health.DEGRADED),
                row("restartPolicy.from none never restarts", ALERT_ONLY, Obs.job(JobState.FAILED, ALERT_ONLY), "-",
                        Health.DEGRADED),
                row("restartPolicy.from none, a new spec in Git starts the job from its checkpoint",
                        ALERT_ONLY_RATE_CHANGED, Obs.job(JobState.FAILED, ALERT_ONLY), "restart from=file:///cp/chk-7",
                        Health.DEGRADED),
                row("a lost job is left alone", RUNNING, Obs.job(JobState.LOST, RUNNING), "-", Health.UNKNOWN),
                row("a finished job with the same spec is done", RUNNING, Obs.job(JobState.FINISHED, RUNNING).noCheckpoint(),
                        "-", Health.HEALTHY),
                row("a finished job whose spec changed runs again", RATE_CHANGED,
                        Obs.job(JobState.FINISHED, RUNNING).noCheckpoint(), "deploy from=-", Health.PROGRESSING),
                row("a finished job's new run waits its backoff after a failed one", RATE_CHANGED,
                        Obs.job(JobState.FINISHED, RUNNING).noCheckpoint()
                                .failed("deploy", hash(RATE_CHANGED), Duration.ofSeconds(1), 1),
                        "-", Health.DEGRADED),
                row("a job stopped with a savepoint outside Tributary is restarted from it", RUNNING,
                        Obs.job(JobState.FINISHED, RUNNING).stoppedOutsideWith("file:///sp/by-hand").savepoint(4, H),
                        "restart from=file:///sp/by-hand", Health.DEGRADED),
                row("restartPolicy.from last-savepoint takes the savepoint it was stopped with outside", FROM_SAVEPOINT,
                        Obs.job(Optional.of(JobState.FINISHED), hash(FROM_SAVEPOINT), UpgradeMode.SAVEPOINT)
                                .stoppedOutsideWith("file:///sp/by-hand").savepoint(4, H),
                        "restart from=file:///sp/by-hand", Health.DEGRADED),
                row("a job stopped with a savepoint outside with a new spec in Git starts the new spec from it",
                        RATE_CHANGED, Obs.job(JobState.FINISHED, RUNNING).stoppedOutsideWith("file:///sp/by-hand"),
                        "restart from=file:///sp/by-hand", Health.DEGRADED),
                row("a job stopped with a savepoint outside is not restarted when the policy says none", ALERT_ONLY,
                        Obs.job(Optional.of(JobState.FINISHED), hash(ALERT_ONLY), UpgradeMode.SAVEPOINT)
                                .stoppedOutsideWith("file:///sp/by-hand"),
                        "-", Health.DEGRADED),
                row("an upgrade whose new job was refused waits its backoff", RATE_CHANGED,
                        Obs.none().suspendedEarlier().savepoint(3, S).failed("upgrade", hash(RATE_CHANGED), S, 1),
                        "-", Health.DEGRADED),
                row("an upgrade whose new job was refused resumes from its savepoint after the backoff", RATE_CHANGED,
                        Obs.none().suspendedEarlier().savepoint(3, H).failed("upgrade", hash(RATE_CHANGED), H, 1),
                        "resume from=file:///sp/savepoint-3", Health.PROGRESSING),
                row("an upgrade whose new job was refused, reverted, resumes from its savepoint at once", RUNNING,
                        Obs.none().suspendedEarlier().savepoint(3, S).failed("upgrade", hash(RATE_CHANGED), S, 1),
                        "resume from=file:///sp/savepoint-3", Health.PROGRESSING),
                row("an app with an operation in flight is left to it", RATE_CHANGED,
                        Obs.job(JobState.RUNNING, RUNNING).inFlight(), "-", Health.PROGRESSING),
                row("an override pinning suspended beats Git", RUNNING,
                        Obs.job(JobState.RUNNING, RUNNING).pinned(Application.DesiredState.SUSPENDED), "suspend", Health.PROGRESSING),
                row("an operator's stop that may cancel is kept with its pin", RUNNING,
                        Obs.job(JobState.RUNNING, RUNNING).stoppedByAnOperator(false, true), "suspend fallback",
                        Health.PROGRESSING),
                row("an operator's draining stop drains also when it runs at a later pass", RUNNING,
                        Obs.job(JobState.RUNNING, RUNNING).stoppedByAnOperator(true, false), "suspend drain",
                        Health.PROGRESSING),
                row("an operator's stop decides whether to cancel, not Git's fallback", WITH_FALLBACK,
                        Obs.job(JobState.RUNNING, WITH_FALLBACK).pinned(Application.DesiredState.SUSPENDED), "suspend",
                        Health.PROGRESSING),
                row("an override pinning running beats Git", SUSPENDED,
                        Obs.none().suspendedEarlier().savepoint(3, H).pinned(Application.DesiredState.RUNNING),
                        "resume from=file:///sp/savepoint-3", Health.PROGRESSING),
                row("an operator's start after the job failed for good restarts it, budget aside", NEVER_RESTART,
                        Obs.job(JobState.FAILED, NEVER_RESTART).pinned(Application.DesiredState.RUNNING),
                        "restart from=file:///cp/chk-7", Health.DEGRADED),
                row("a pin to running from before the job failed leaves the restart policy in force", NEVER_RESTART,
                        Obs.job(JobState.FAILED, NEVER_RESTART).pinnedAt(Application.DesiredState.RUNNING,
                                NOW.minus(Duration.ofDays(1))), "-", Health.DEGRADED),
                row("paused syncing ignores a changed spec", RATE_CHANGED,
                        Obs.job(JobState.RUNNING, RUNNING).syncPaused(), "-", Health.HEALTHY),
                row("paused syncing still restarts a failed job of Git's spec, per its policy", RUNNING,
                        Obs.job(JobState.CANCELED, RUNNING).syncPaused(), "restart from=file:///cp/chk-7",
                        Health.DEGRADED),
                row("paused syncing does not restart a failed job with a spec Git changed since", RATE_CHANGED,
                        Obs.job(JobState.FAILED, RUNNING).syncPaused(), "-", Health.DEGRADED),
                row("paused syncing resumes a job the service suspended when it stopped", RUNNING,
                        Obs.job(JobState.FINISHED, RUNNING).suspendedByService().savepoint(3, S).syncPaused(),
                        "resume from=file:///sp/savepoint-3", Health.PROGRESSING),
                row("paused syncing does not start an app Git suspended before the pause", RUNNING,
                        Obs.job(JobState.FINISHED, RUNNING).suspendedEarlier().savepoint(3, S).syncPaused(), "-",
                        Health.MISSING),
                row("paused syncing does not resume with a spec Git changed after the service stopped", RATE_CHANGED,
                        Obs.job(JobState.FINISHED, RUNNING).suspendedByService().savepoint(3, S).syncPaused(), "-",
                        Health.SUSPENDED),
                row("a stateless app down when Git changes its spec starts without state", STATELESS_UPGRADE,
                        Obs.job(Optional.of(JobState.CANCELED), hash(RUNNING), UpgradeMode.STATELESS).savepoint(3, S),
                        "restart from=-", Health.DEGRADED),
                row("a stateless app's failed job does not restart from a savepoint older than itself",
                        desired("upgradeMode: stateless"), Obs.job(Optional.of(JobState.FAILED),
                                hash(desired("upgradeMode: stateless")), UpgradeMode.STATELESS).noCheckpoint()
                                .savepoint(3, Duration.ofHours(2)),
                        "restart from=-", Health.DEGRADED),
                row("periodic savepoint due", PERIODIC,
                        Obs.job(JobState.RUNNING, PERIODIC).startedAgo(Duration.ofHours(10)).savepoint(5, Duration.ofHours(7)),
                        "savepoint", Health.HEALTHY),
                row("periodic savepoint not due yet", PERIODIC,
                        Obs.job(JobState.RUNNING, PERIODIC).startedAgo(Duration.ofHours(10)).savepoint(5, Duration.ofHours(2)),
                        "-", Health.HEALTHY),
                row("periodic savepoint counts from the job's start", PERIODIC,
                        Obs.job(JobState.RUNNING, PERIODIC).savepoint(5, Duration.ofDays(2)), "-", Health.HEALTHY),
                row("retention disposes beyond maxCount", KEEP_TWO,
                        Obs.job(JobState.RUNNING, KEEP_TWO).savepoint(9, H).savepoint(8, H.multipliedBy(2))
                                .savepoint(7, H.multipliedBy(3)).savepoint(6, H.multipliedBy(4)),
                        "dispose [7, 6]", Health.HEALTHY),
                row("retention by age keeps the newest savepoint", SUSPENDED_KEEP_A_DAY,
                        Obs.none().suspendedEarlier().savepoint(9, Duration.ofDays(3)).savepoint(8, Duration.ofDays(4)),
                        "dispose [8]", Health.SUSPENDED),
                row("retention leaves a savepoint Tributary did not take alone", KEEP_TWO,
                        Obs.job(JobState.RUNNING, KEEP_TWO).savepoint(9, H).externalSavepoint(8, H.multipliedBy(2))
                                .savepoint(7, H.multipliedBy(3)).savepoint(6, H.multipliedBy(4)),
                        "dispose [6]", Health.HEALTHY));
    }

    private static Arguments row(String name, DesiredState desired, Obs obs, String action, Health health) {
        return Arguments.of(name, desired, obs, action, health);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transitions")
    void transition(String name, DesiredState desired, Obs obs, String expectedAction, Health expectedHealth) {
        AppPlan plan = Planner.plan(desired, observed(obs), NOW).app(APP).orElseThrow();
        assertThat(describe(plan.action())).as(name).isEqualTo(expectedAction);
        assertThat(plan.health()).as(name + ": " + plan.message()).isEqualTo(expectedHealth);
    }

    static Stream<Arguments> removals() {
        return Stream.of(
                Arguments.of("a running app removed from Git is stopped with a final savepoint",
                        Obs.job(JobState.RUNNING, RUNNING), "delete final-savepoint=true"),
                Arguments.of("a stateless app is deleted without a savepoint",
                        Obs.job(Optional.of(JobState.RUNNING), "h", UpgradeMode.STATELESS), "delete final-savepoint=false"),
                Arguments.of("a failed app is deleted without a savepoint",
                        Obs.job(JobState.FAILED, RUNNING), "delete final-savepoint=false"),
                Arguments.of("prune: false leaves the job", Obs.job(JobState.RUNNING, RUNNING).notPruned(), "-"),
                Arguments.of("paused syncing leaves the job", Obs.job(JobState.RUNNING, RUNNING).syncPaused(), "-"),
                Arguments.of("a failed final savepoint blocks the deletion for its backoff",
                        Obs.job(JobState.RUNNING, RUNNING).failed("delete", null, S, 1), "-"),
                Arguments.of("a lost job is not deleted blind", Obs.job(JobState.LOST, RUNNING), "-"),
                Arguments.of("a job Flink suspended (its JobManager failing over) is not forgotten while HA may revive"
                        + " it", Obs.job(JobState.SUSPENDED, RUNNING), "-"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("removals")
    void removedFromGit(String name, Obs obs, String expectedAction) {
        Plan plan = Planner.plan(PlanFixtures.withoutApps(RUNNING), observed(obs), NOW);
        assertThat(describe(plan.app(APP).flatMap(AppPlan::action))).as(name).isEqualTo(expectedAction);
    }

    @Test
    void anAppRemovedFromGitThatNeverRanIsForgottenWithoutAnyCallToFlink() {
        // the service observes an app out of Git only by its status row: one that never ran has nothing else
        Plan plan = Planner.plan(PlanFixtures.withoutApps(RUNNING), observed(Obs.none()), NOW);
        assertThat(plan.apps()).singleElement().satisfies(p -> assertThat(p.action()).contains(
                new Action.Delete(p.app(), Optional.empty(), false, "removed from Git")));
    }

    /** Cluster actions but those of the base repo's managed Kubernetes session, which has a test of its own. */
    private static java.util.List<ClusterAction> standaloneActions(Plan plan) {
        return plan.clusters().stream().filter(c -> !c.cluster().equals("k8s-shared")
                && !c.cluster().equals("yarn-shared")).toList();
    }

    @Test
    void managedKubernetesAndYarnSessionsAreNotDeployedWhileNoAppShouldRunOnThem() {
        Observed observed = new Observed(Map.of(APP, Obs.none().build()), Map.of("local", localCluster()));
        Plan plan = Planner.plan(RUNNING, observed, NOW);
        assertThat(plan.clusters()).as("the base repo's k8s-shared and yarn-shared have no running app").isEmpty();
    }

    /** The base repo with the app on the managed Kubernetes session k8s-shared. */
    private static DesiredState onK8sSession() {
        return PlanFixtures.desired("", "5").resources().values().stream()
                .map(r -> r instanceof Application a && a.id().qualifiedName().equals(APP) ? onCluster(a, "k8s-shared") : r)
                .collect(java.util.stream.Collectors.collectingAndThen(java.util.stream.Collectors.toList(),
                        DesiredState::of));
    }

    @Test
    void aManagedKubernetesSessionIsDeployedOnceARunningAppUsesIt() {
        DesiredState onK8s = onK8sSession();
        Plan plan = Planner.plan(onK8s, new Observed(Map.of(APP, Obs.none().build()), Map.of("local", localCluster())), NOW);
        assertThat(plan.clusters()).singleElement().isInstanceOf(ClusterAction.StartCluster.class)
                .extracting(ClusterAction::cluster).isEqualTo("k8s-shared");
        assertThat(plan.app(APP).orElseThrow().message()).isEqualTo("waiting for cluster k8s-shared");
    }

    private static Application onCluster(Application app, String cluster) {
        Application.Spec s = app.spec();
        Application.Deployment d = new Application.Deployment(Application.DeploymentMode.KUBERNETES_SESSION, cluster,
                null, null);
        return new Application(app.metadata(), new Application.Spec(s.flinkVersion(), d, s.job(), s.parallelism(),
                s.state(), s.upgradeMode(), s.allowStatelessFallback(), s.restore(), s.checkpoints(), s.savepoints(),
                s.restartPolicy(), s.flinkConfiguration(), s.alertPolicies(), s.prune()));
    }

    @Test
    void managedClusterNotRunningIsStartedAndItsAppsWait() {
        Observed observed = new Observed(Map.of(APP, Obs.none().build()), Map.of());
        Plan plan = Planner.plan(RUNNING, observed, NOW);
        assertThat(standaloneActions(plan)).extracting(ClusterAction::cluster).containsExactly("local");
        assertThat(standaloneActions(plan).get(0)).isInstanceOf(ClusterAction.StartCluster.class);
        AppPlan app = plan.app(APP).orElseThrow();
        assertThat(app.action()).isEmpty();
        assertThat(app.message()).isEqualTo("waiting for cluster local");
    }

    @Test
    void changedClusterSpecMovesItsRunningApps() {
        Observed observed = new Observed(Map.of(APP, Obs.job(JobState.RUNNING, RUNNING).build()),
                Map.of("local", new ClusterObservation("local", true, true, true, Optional.of("an older spec"))));
        Plan plan = Planner.plan(RUNNING, observed, NOW);
        assertThat(standaloneActions(plan)).singleElement().isInstanceOfSatisfying(ClusterAction.UpdateCluster.class,
                u -> assertThat(u.appsToMove()).containsExactly(APP));
        assertThat(plan.actions()).isEmpty();
    }

    @Test
    void aJobThatCannotBeRestartedSaysWhyWhileItWaitsAndOnceItGivesUp() {
        Obs waiting = Obs.job(JobState.FAILED, RUNNING).restartedAgo(S.multipliedBy(5))
                .failed("restart", hash(RUNNING), S.multipliedBy(5), 1);
        assertThat(Planner.plan(RUNNING, observed(waiting), NOW).app(APP).orElseThrow().message())
                .startsWith("job FAILED; restarting in ").endsWith("; the last restart failed: savepoint timed out");

        Obs givenUp = Obs.job(JobState.FAILED, RUNNING)
                .restartedAgo(Duration.ofMinutes(1), Duration.ofMinutes(3), Duration.ofMinutes(5))
                .failed("restart", hash(RUNNING), Duration.ofMinutes(1), 3);
        assertThat(Planner.plan(RUNNING, observed(givenUp), NOW).app(APP).orElseThrow().message())
                .isEqualTo("job FAILED; 3 restarts within 10m reached restartPolicy.maxRestarts;"
                        + " the last restart failed: savepoint timed out; it is restarted again from "
                        + NOW.plus(Duration.ofMinutes(5)) + ", when the oldest of them leaves the window;"
                        + " an operator's start, or a new spec in Git, runs it again");

        Obs otherFailure = Obs.job(JobState.FAILED, RUNNING).restartedAgo(S.multipliedBy(5))
                .failed("savepoint", hash(RUNNING), S.multipliedBy(5), 1);
        assertThat(Planner.plan(RUNNING, observed(otherFailure), NOW).app(APP).orElseThrow().message())
                .doesNotContain("the last restart failed");
    }

    @Test
    void aPinnedStateIsShownAsDriftFromGit() {
        AppPlan plan = Planner.plan(RUNNING, observed(Obs.none().suspendedEarlier().savepoint(3, H)
                .pinned(Application.DesiredState.SUSPENDED)), NOW).app(APP).orElseThrow();
        assertThat(plan.action()).isEmpty();
        assertThat(plan.health()).isEqualTo(Health.SUSPENDED);
        assertThat(plan.sync()).isEqualTo(Sync.OUT_OF_SYNC);
        assertThat(plan.message()).startsWith("pinned suspended by dave (incident 42); ");
    }

    @Test
    void aPausedAppMovedOffARestartingClusterWaitsForItInsteadOfResumingOnTheOldOne() {
        Observed observed = new Observed(Map.of(APP, Obs.job(JobState.FINISHED, RUNNING).suspendedByService()
                        .savepoint(3, S).syncPaused().build()),
                Map.of("local", new ClusterObservation("local", true, false, false, Optional.empty()).asBusy()));
        Plan plan = Planner.plan(RUNNING, observed, NOW);
        assertThat(plan.app(APP).orElseThrow().action()).isEmpty();
        assertThat(plan.app(APP).orElseThrow().message()).isEqualTo("waiting for cluster local");
    }

    @Test
    void aClusterBeingStartedIsNotStartedAgainAndItsAppsWait() {
        Observed observed = new Observed(Map.of(APP, Obs.none().build()),
                Map.of("local", new ClusterObservation("local", true, false, false, Optional.empty()).asBusy()));
        Plan plan = Planner.plan(RUNNING, observed, NOW);
        assertThat(standaloneActions(plan)).isEmpty();
        assertThat(plan.app(APP).orElseThrow().message()).isEqualTo("waiting for cluster local");
    }

    @Test
    void aSuspendedAppWithoutAJobStaysSuspendedWhileItsClusterRestartsAndDisposesNothingMeanwhile() {
        Observed observed = new Observed(Map.of(APP, Obs.none().suspendedEarlier().savepoint(9, Duration.ofDays(3))
                        .savepoint(8, Duration.ofDays(4)).build()),
                Map.of("local", localCluster().asBusy()));
        AppPlan plan = Planner.plan(SUSPENDED_KEEP_A_DAY, observed, NOW).app(APP).orElseThrow();
        assertThat(plan.health()).isEqualTo(Health.SUSPENDED);
        assertThat(plan.sync()).isEqualTo(Sync.SYNCED);
        assertThat(plan.action()).as("disposal asks the cluster: after its restart").isEmpty();
        AppPlan running = Planner.plan(SUSPENDED, new Observed(Map.of(APP, Obs.job(JobState.RUNNING, RUNNING).build()),
                Map.of("local", localCluster().asBusy())), NOW).app(APP).orElseThrow();
        assertThat(running.message()).as("a job to stop there waits").isEqualTo("waiting for cluster local");
    }

    @Test
    void aClusterRestartMovesOffTheJobOfAnAppKeptByPruneFalseToo() {
        ClusterObservation oldSpec = new ClusterObservation("local", true, true, true, Optional.of("old spec"));
        Observed observed = new Observed(Map.of(APP, Obs.job(JobState.RUNNING, RUNNING).onCluster("local").build(),
                "payments/legacy", Obs.job(JobState.RUNNING, RUNNING).onCluster("local").notPruned().build("payments/legacy")),
                Map.of("local", oldSpec));
        assertThat(standaloneActions(Planner.plan(RUNNING, observed, NOW))).singleElement()
                .isInstanceOfSatisfying(ClusterAction.UpdateCluster.class,
                        u -> assertThat(u.appsToMove()).containsExactly(APP, "payments/legacy"));
    }

    @Test
    void managedClusterRemovedFromGitIsStopped() {
        Observed observed = new Observed(Map.of(),
                Map.of("old-local", new ClusterObservation("old-local", true, true, true, Optional.of("x")),
                        "local", localCluster()));
        Plan plan = Planner.plan(RUNNING, observed, NOW);
        assertThat(standaloneActions(plan)).singleElement().isInstanceOf(ClusterAction.StopCluster.class)
                .extracting(ClusterAction::cluster).isEqualTo("old-local");
    }

    @Test
    void aClusterRemovedFromGitWithAJobStillOnItStaysUpUntilTheJobMovedAway() {
        ClusterObservation old = new ClusterObservation("old-local", true, true, true, Optional.of("x"));
        Map<String, ClusterObservation> clusters = Map.of("old-local", old, "local", localCluster());
        Plan moving = Planner.plan(RUNNING, new Observed(Map.of(APP,
                Obs.job(JobState.RUNNING, RUNNING).onCluster("old-local").build()), clusters), NOW);
        assertThat(standaloneActions(moving)).as("not stopped under the job").isEmpty();
        assertThat(moving.app(APP).orElseThrow().action()).get().isInstanceOf(Action.Suspend.class);

        Plan moved = Planner.plan(RUNNING, new Observed(Map.of(APP, Obs.none().suspendedEarlier().savepoint(1, H)
                .build()), clusters), NOW);
        assertThat(standaloneActions(moved)).singleElement().isInstanceOf(ClusterAction.StopCluster.class);
        assertThat(moved.app(APP).orElseThrow().action()).get().isInstanceOf(Action.Resume.class);
    }

    @Test
    void anAppCancelledToMoveResumesFromTheCheckpointItLeftAndSaysSo() {
        AppPlan app = Planner.plan(LAST_STATE, new Observed(Map.of(APP, Obs.none().suspendedEarlier()
                .checkpointLeft(12, S).savepoint(3, H).build()), Map.of("local", localCluster())), NOW)
                .app(APP).orElseThrow();
        assertThat(app.action()).get().isInstanceOfSatisfying(Action.Resume.class,
                r -> assertThat(r.savepoint()).isEqualTo("file:///cp/job/chk-12"));
        assertThat(app.action().orElseThrow().reason()).endsWith("resuming from its latest checkpoint");
    }

    @Test
    void aClusterUpdatedInTheCommitThatMovesAnAppAwayTakesItsJobAlongAndTheAppWaits() {
        ClusterObservation updated = new ClusterObservation("local", true, true, true, Optional.of("an older spec"));
        Plan plan = Planner.plan(onK8sSession(), new Observed(Map.of(APP, Obs.job(JobState.RUNNING, RUNNING)
                .onCluster("local").build()), Map.of("local", updated)), NOW);
        assertThat(standaloneActions(plan)).singleElement().isInstanceOfSatisfying(ClusterAction.UpdateCluster.class,
                u -> assertThat(u.appsToMove()).as("its job there is stopped with a savepoint").containsExactly(APP));
        AppPlan app = plan.app(APP).orElseThrow();
        assertThat(app.action()).as("not stopped a second time beside the update").isEmpty();
        assertThat(app.message()).startsWith("waiting for cluster ");
    }

    @Test
    void unreachableClusterMakesItsAppsUnknownWithoutActions() {
        ClusterObservation down = new ClusterObservation("local", true, true, false, Optional.of(clusterHash()));
        Plan plan = Planner.plan(RATE_CHANGED, new Observed(Map.of(APP, Obs.job(JobState.RUNNING, RUNNING).build()),
                Map.of("local", down)), NOW);
        AppPlan app = plan.app(APP).orElseThrow();
        assertThat(app.action()).isEmpty();
        assertThat(app.health()).isEqualTo(Health.UNKNOWN);
        assertThat(app.message()).contains("cannot be reached");
    }

    @Test
    void aSuspendedAppWithoutJobIsSuspendedWhileItsClusterDoesNotAnswer() {
        ClusterObservation down = new ClusterObservation("local", true, true, false, Optional.of(clusterHash()));
        AppPlan app = Planner.plan(SUSPENDED, new Observed(Map.of(APP, Obs.none().suspendedEarlier().savepoint(3, H).build()),
                Map.of("local", down)), NOW).app(APP).orElseThrow();
        assertThat(app.action()).isEmpty();
        assertThat(app.health()).isEqualTo(Health.SUSPENDED);
    }

    @Test
    void specHashIgnoresFieldsThatOnlySteerTributary() {
        DesiredState steering = desired("""
                state: suspended
                upgradeMode: stateless
                restartPolicy: {maxRestarts: 9}
                savepoints: {retention: {maxCount: 3}, periodic: 1h}
                prune: false
                alertPolicies: []""");
        assertThat(hash(steering)).isEqualTo(hash(RUNNING));
        assertThat(hash(desired("parallelism: 2"))).isNotEqualTo(hash(RUNNING));
        assertThat(hash(RATE_CHANGED)).as("a variable the SQL uses").isNotEqualTo(hash(RUNNING));
    }

    @Test
    void plansForManyAppsAreIndependent() {
        Plan plan = Planner.plan(RUNNING, new Observed(Map.of(APP, Obs.job(JobState.FAILED, RUNNING).build(),
                "payments/gone", Obs.job(JobState.RUNNING, RUNNING).build("payments/gone")), Map.of("local", localCluster())), NOW);
        assertThat(plan.actions()).extracting(Action::kind).containsExactlyInAnyOrder("restart", "delete");
    }

    private static Observed observed(Obs obs) {
        return new Observed(Map.of(APP, obs.build()), Map.of("local", localCluster()));
    }

    static ClusterObservation localCluster() {
        return new ClusterObservation("local", true, true, true, Optional.of(clusterHash()));
    }

    private static String clusterHash() {
        return SpecHash.of(RUNNING.all(io.tributary.model.Cluster.class).stream()
                .filter(c -> c.metadata().name().equals("local")).findFirst().orElseThrow(), RUNNING);
    }

    static String describe(Optional<Action> action) {
        if (action.isEmpty()) {
            return "-";
        }
        Action a = action.get();
        if (a instanceof Action.Deploy d) {
            return "deploy from=" + d.restoreFrom().orElse("-");
        } else if (a instanceof Action.Upgrade u) {
            return "upgrade " + u.mode().yamlName() + " fallback=" + u.allowStatelessFallback();
        } else if (a instanceof Action.Suspend s) {
            return "suspend" + (s.mode() == Application.UpgradeMode.LAST_STATE ? " last-state" : "")
                    + (s.allowStatelessFallback() ? " fallback" : "") + (s.drain() ? " drain" : "");
        } else if (a instanceof Action.Resume r) {
            return "resume from=" + r.savepoint();
        } else if (a instanceof Action.Restart r) {
            return "restart from=" + r.restoreFrom().orElse("-");
        } else if (a instanceof Action.TakeSavepoint) {
            return "savepoint";
        } else if (a instanceof Action.DisposeSavepoints d) {
            return "dispose " + d.savepointIds();
        } else if (a instanceof Action.Delete d) {
            return "delete final-savepoint=" + d.finalSavepoint();
        }
        throw new AssertionError(a);
    }
}
