package io.tributary.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.config.ConfigLoader;
import io.tributary.config.TestRepos;
import io.tributary.model.AlertPolicy.Event;
import io.tributary.model.DesiredState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Which channels an alert goes to: the policies of the app, of the apps on a cluster, of a Project's apps. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RouteTest {
    @TempDir
    static Path temp;

    private DesiredState desired;

    @BeforeAll
    void load() throws IOException {
        Path repo = temp.resolve("repo");
        TestRepos.copyTree(TestRepos.BASE, repo);
        Files.writeString(repo.resolve("teams/payments/alerts.yaml"), """
                apiVersion: tributary.io/v1
                kind: AlertChannel
                metadata: {name: oncall, team: payments}
                spec:
                  type: email
                  email: {to: [oncall@example.com]}
                ---
                apiVersion: tributary.io/v1
                kind: AlertChannel
                metadata: {name: platform-hook}
                spec:
                  type: webhook
                  webhook: {url: "https://hooks.example.com/x"}
                ---
                apiVersion: tributary.io/v1
                kind: AlertPolicy
                metadata: {name: payments-default, team: payments}
                spec:
                  channels: [oncall, platform-hook]
                  rules:
                    - event: job-failed
                    - event: build-failed
                    - event: cluster-down
                ---
                apiVersion: tributary.io/v1
                kind: AlertChannel
                metadata: {name: platform-pager}
                spec:
                  type: webhook
                  webhook: {url: "https://pager.example.com/x"}
                ---
                apiVersion: tributary.io/v1
                kind: AlertPolicy
                metadata: {name: platform-ops}
                spec:
                  channels: [platform-pager]
                  rules:
                    - event: cluster-down
                """);
        Files.writeString(repo.resolve("teams/payments/enricher.yaml"), """
                apiVersion: tributary.io/v1
                kind: Project
                metadata: {name: enrichment-jobs, team: payments}
                spec:
                  git: {url: "https://git.example.com/payments/jobs.git"}
                ---
                apiVersion: tributary.io/v1
                kind: Application
                metadata: {name: enricher, team: payments}
                spec:
                  deployment: {mode: standalone-session, cluster: local}
                  job:
                    type: jar
                    jar: {project: {name: enrichment-jobs, artifact: target/enricher.jar}, entryClass: com.example.Enricher}
                  alertPolicies: [payments-default]
                """);
        ConfigLoader.Result result = new ConfigLoader().load(repo);
        assertThat(result.errors()).isEmpty();
        desired = result.state();
    }

    @Test
    void anAppsAlertGoesToTheChannelsOfItsPoliciesThatHaveTheRule() {
        assertThat(Route.of(desired, "payments/orders", Event.JOB_FAILED)).extracting(Route::channelKey)
                .containsExactly("payments/oncall", "platform-hook");
        assertThat(Route.of(desired, "payments/orders", Event.UPGRADE_FAILED)).as("no rule for it").isEmpty();
        assertThat(Route.of(desired, "payments/nothing", Event.JOB_FAILED)).isEmpty();
    }

    @Test
    void aClusterAlertGoesToThePoliciesOfEveryAppOnItOnce() {
        assertThat(Route.appsOf(desired, "cluster:local")).extracting(a -> a.id().qualifiedName())
                .containsExactlyInAnyOrder("payments/orders", "payments/enricher");
        assertThat(Route.of(desired, "cluster:local", Event.CLUSTER_DOWN)).extracting(Route::channelKey)
                .containsExactly("payments/oncall", "platform-hook", "platform-pager");
    }

    @Test
    void aPlatformPolicyHearsOfEveryClusterDownThoughNoAppNamesIt() {
        assertThat(Route.of(desired, "cluster:k8s-shared", Event.CLUSTER_DOWN)).as("no app runs there")
                .extracting(Route::channelKey).containsExactly("platform-pager");
        assertThat(Route.of(desired, "payments/orders", Event.CLUSTER_DOWN)).as("an app's alert is its policies'")
                .extracting(Route::channelKey).containsExactly("payments/oncall", "platform-hook");
    }

    @Test
    void aProjectsBuildFailureGoesToThePoliciesOfTheAppsItBuilds() {
        assertThat(Route.appsOf(desired, "payments/enrichment-jobs")).extracting(a -> a.id().qualifiedName())
                .containsExactly("payments/enricher");
        assertThat(Route.of(desired, "payments/enrichment-jobs", Event.BUILD_FAILED)).extracting(Route::channelKey)
                .containsExactly("payments/oncall", "platform-hook");
    }
}
