package io.tributary.server;

import static io.tributary.server.ConfigRepo.APP;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.store.Database;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Two replicas of the service on one PostgreSQL: one leads and deploys, the other stands by and
 * serves reads; when the leader is killed, the standby takes over within seconds and keeps the job
 * that runs instead of deploying it again. Then, under a stream of commits, the leader is killed
 * again: the standby takes over within 15 s, no revision is applied or deployed twice (commits that
 * arrive within one poll are applied together, as their last one), and the last commit runs. Both are child processes with the same data directory, so
 * the new leader adopts the Flink cluster the first one started.
 */
class LeaderElectionIT {
    private static final Duration UP = Duration.ofMinutes(2);
    private static final Duration STEP = Duration.ofMinutes(3);
    private static final Duration TAKEOVER = Duration.ofSeconds(15);
    /** The embedded server's superuser (Database.embedded's). */
    private static final String DATABASE_USER = "postgres";

    @RegisterExtension
    static final ServiceProcesses PROCESSES = new ServiceProcesses();

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path temp;

    private static ConfigRepo repo;
    private static Database database;

    @BeforeAll
    static void startDatabase() throws Exception {
        repo = ConfigRepo.withCountingApp(temp.resolve("config"), "count-v1");
        database = Database.embedded(temp.resolve("database"));
    }

    @AfterAll
    static void stopDatabase() {
        PROCESSES.stopAll(); // before the database they use
        if (database != null) {
            database.close();
        }
        if (repo != null) {
            repo.close();
        }
    }

    @Test
    void whenTheLeaderIsKilledTheStandbyTakesOverAndKeepsTheRunningJob() throws Exception {
        // the second starts once the first answers: the first creates the shared source checkout
        ServiceProcess a = start("replica-a").awaitUp(UP);
        ServiceProcess b = start("replica-b").awaitUp(UP);
        Await.until("one replica leads and the other stands by", STEP, () -> {
            JsonNode syncA = a.api().sync();
            JsonNode syncB = b.api().sync();
            return syncA.path("leader").asBoolean() != syncB.path("leader").asBoolean()
                    && "Standby".equals((syncA.path("leader").asBoolean() ? syncB : syncA).path("condition").asString());
        });
        ServiceProcess leader = isLeader(a) ? a : b;
        ServiceProcess standby = leader == a ? b : a;
        assertThat(leader.api().sync().path("leader").asBoolean()).isTrue();
        assertThat(standby.api().sync().path("leader").asBoolean()).isFalse();
        assertThat(standby.api().sync().path("condition").asString()).isEqualTo("Standby");

        Await.until("the leader deploys the app", STEP, () -> runsHealthy(leader.api()));
        String job = leader.api().status(APP).path("jobId").asString();
        URI flink = leader.api().flinkRestUrl(APP).orElseThrow();
        assertThat(LocalFlink.running(flink, APP)).extracting(LocalFlink.Job::id).containsExactly(job);
        assertThat(standby.api().status(APP).path("jobId").asString()).as("the standby reads the same status")
                .isEqualTo(job);

        assertThat(leader.kill()).as("exit code of the killed leader").isEqualTo(137);
        Await.until("the standby leads", TAKEOVER, () -> isLeader(standby));
        assertThat(standby.api().sync().path("condition").asString()).isNotEqualTo("Standby");

        ServiceApi api = standby.api();
        Await.until("the new leader sees the job on the adopted cluster", STEP,
                () -> runsHealthy(api) && api.flinkRestUrl(APP).isPresent());
        JsonNode detail = api.detail(APP);
        assertThat(detail.path("application").path("status").path("jobId").asString()).as("the app's job")
                .isEqualTo(job);
        assertThat(LocalFlink.running(api.flinkRestUrl(APP).orElseThrow(), APP)).as("the app's RUNNING jobs on Flink")
                .extracting(LocalFlink.Job::id).containsExactly(job);
        assertThat(detail.path("deployments")).as("deployments of the app").hasSize(1);
        assertThat(detail.path("operations")).as("operations of the app")
                .allSatisfy(op -> assertThat(op.path("status").asString()).isEqualTo("done"));

        // a stream of commits, and the leader killed in the middle of it
        ServiceProcess first = standby;
        ServiceProcess second = start("replica-c").awaitUp(UP);
        Await.until("the new replica stands by", STEP, () -> "Standby".equals(second.api().sync().path("condition")
                .asString()));
        assertThat(second.api().getWithoutLogin("/readyz").statusCode()).as("a standby is ready: it serves reads")
                .isEqualTo(200);
        List<String> commits = new ArrayList<>();
        for (int i = 2; i <= 7; i++) {
            repo.writeSql("count-v" + i);
            commits.add(repo.commit("count as count-v" + i));
            if (i == 4) {
                assertThat(first.kill()).as("exit code of the leader killed under the stream").isEqualTo(137);
                Await.until("the standby leads again", TAKEOVER, () -> isLeader(second));
            } else {
                sleepSeconds(2);
            }
        }
        String last = commits.get(commits.size() - 1);
        ServiceApi survivor = second.api();
        Await.until("the last commit runs", STEP, () -> runsHealthy(survivor)
                && survivor.sync().path("appliedRevision").asString("").endsWith(last)
                && survivor.detail(APP).path("deployments").findValuesAsString("revision").stream()
                        .anyMatch(r -> r.endsWith(last))
                // an upgrade the kill cut after its intent and before any call to Flink is rolled back by design
                && survivor.detail(APP).path("operations").findValuesAsString("status").stream()
                        .allMatch(status -> status.equals("done") || status.equals("rolled-back")));

        JsonNode after = survivor.detail(APP);
        List<String> deployed = after.path("deployments").findValuesAsString("revision");
        assertThat(deployed).as("revisions deployed: none twice").doesNotHaveDuplicates();
        List<String> applied = new ArrayList<>();
        for (JsonNode r : ServiceApi.JSON.readTree(survivor.get("/api/v1/revisions?limit=100").body()).path("items")) {
            if (!r.path("appliedAt").isNull() && !r.path("appliedAt").isMissingNode()) {
                applied.add(r.path("name").asString());
            }
        }
        assertThat(applied).as("applied revisions: each once").doesNotHaveDuplicates();
        // a revision superseded while its upgrade was cut by the kill may be applied without a job of its own
        assertThat(applied).as("applied revisions").containsAll(deployed);
        assertThat(deployed).as("the last commit is deployed").anyMatch(name -> name.endsWith(last));
        assertThat(LocalFlink.running(survivor.flinkRestUrl(APP).orElseThrow(), APP)).as("jobs of the app on Flink")
                .extracting(LocalFlink.Job::id).containsExactly(survivor.status(APP).path("jobId").asString());

        second.stop(Duration.ofMinutes(2));
        assertThat(ServiceProcesses.processesWith("-Dtributary.cluster=" + dataDir().resolve("clusters")))
                .as("Flink processes left after the last replica stopped").isEmpty();
    }

    private static void sleepSeconds(int seconds) {
        try {
            Thread.sleep(seconds * 1000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static boolean isLeader(ServiceProcess p) {
        return p.api().sync().path("leader").asBoolean(false);
    }

    private static boolean runsHealthy(ServiceApi api) {
        JsonNode status = api.status(APP);
        return "RUNNING".equals(status.path("jobState").asString(null))
                && "Healthy".equals(status.path("health").asString(null));
    }

    private static Path dataDir() {
        return temp.resolve("data").toAbsolutePath().normalize();
    }

    private static ServiceProcess start(String name) {
        return PROCESSES.start(name, temp.resolve("logs").resolve(name + ".log"), Map.of(), List.of(
                "--repo", repo.dir().toString(), "--branch", "main", "--data-dir", dataDir().toString(),
                "--database", database.jdbcUrl(), "--database-user", DATABASE_USER,
                "--poll-interval", "2s", "--workers", "2"));
    }
}
