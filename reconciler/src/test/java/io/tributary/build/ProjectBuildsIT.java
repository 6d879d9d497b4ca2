package io.tributary.build;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.apply.Clusters;
import io.tributary.apply.JobLauncher;
import io.tributary.apply.MavenRepositories;
import io.tributary.apply.Operations;
import io.tributary.apply.Reconciler;
import io.tributary.config.ConfigLoader;
import io.tributary.config.TestRepos;
import io.tributary.flink.FlinkTestSupport;
import io.tributary.flink.LocalCluster;
import io.tributary.flink.SqlRunnerJar;
import io.tributary.secrets.SecretResolver;
import io.tributary.source.ConfigSource;
import io.tributary.source.SourceSpec;
import io.tributary.store.AppEvent;
import io.tributary.store.AppStatus;
import io.tributary.store.BuildRecord;
import io.tributary.store.BuildStore;
import io.tributary.store.Database;
import io.tributary.store.Deployment;
import io.tributary.store.SavepointRecord;
import io.tributary.store.Store;
import io.tributary.store.TestDatabase;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Project end to end: a real Flink DataStream job in a Git repository is built with Maven (against
 * ~/.m2 and Maven Central), deployed to a real local 1.20.1 cluster and upgraded with a savepoint when a commit
 * changes it; a broken commit fails its build and leaves the job running; building the same commit
 * again reuses the artifact without Maven.
 */
class ProjectBuildsIT {
    private static final String APP = "payments/sequence";
    private static final String PROJECT = "payments/jobs";
    private static final Path JOB_SOURCES = Path.of("src/test/resources/projects/flink-job");
    private static final Duration LONG = Duration.ofMinutes(4);

    @TempDir
    Path temp;

    private Git jobRepo;
    private Store store;
    private BuildStore buildStore;
    private MavenRepositories maven;
    private Clusters clusters;
    private ProjectBuilds builds;
    private Reconciler reconciler;

    @BeforeEach
    void setUp() throws Exception {
        Path jobDir = temp.resolve("jobs");
        TestRepos.copyTree(JOB_SOURCES, jobDir);
        jobRepo = Git.init().setDirectory(jobDir.toFile()).setInitialBranch("main").call();
        commit("the job");

        Path config = temp.resolve("config");
        TestRepos.copyTree(Path.of("src/test/resources/repos/builds"), config);
        Files.writeString(config.resolve("teams/payments/variables.yaml"), """
                apiVersion: tributary.io/v1
                kind: Variable
                metadata: {name: jobs_repo, team: payments}
                spec: {value: "%s"}
                ---
                apiVersion: tributary.io/v1
                kind: Variable
                metadata: {name: savepoints, team: payments}
                spec: {value: "%s"}
                """.formatted(jobDir.toUri(), temp.resolve("savepoints").toUri()));

        Clock clock = Clock.systemUTC();
        Database db = TestDatabase.fresh();
        store = new Store(db, clock);
        buildStore = new BuildStore(db, clock);
        Path data = temp.resolve("data");
        maven = new MavenRepositories(FlinkTestSupport.sharedRepository().localRepository());
        clusters = new Clusters(data, maven, LocalCluster.Options.defaults());
        JobLauncher launcher = new JobLauncher(maven, data.resolve("artifacts"), HttpClient.newHttpClient(),
                SqlRunnerJar.locate(data.resolve("work")), data.resolve("job-jars"),
                new SecretResolver(name -> null, name -> null));
        Operations operations = new Operations(store, launcher, clock, Duration.ofMinutes(2), Duration.ofMillis(50));
        ConfigSource source = ConfigSource.open(new SourceSpec(config.toString(), null, null), temp.resolve("source"));
        reconciler = new Reconciler(source, new ConfigLoader(), store, clusters, operations, Optional.empty(), clock,
                new Reconciler.Options(Duration.ofSeconds(2), 2));
        // not offline: what the job's dependencies need (snappy-java under flink-streaming-java) is in
        // ~/.m2 only if an earlier build happened to fetch it; a clean machine failed here
        builds = new ProjectBuilds(data, new ArtifactStore(data.resolve("artifacts"), clock), buildStore, store,
                maven::of, clock, new ProjectBuilds.Options(Duration.ofSeconds(2), 2, Duration.ofMinutes(5),
                        Duration.ofDays(1), List.of("-q")), reconciler::triggerSync);
        reconciler.useBuilds(builds);
        reconciler.start();
    }

    @AfterEach
    void tearDown() {
        if (reconciler != null) {
            reconciler.close();
        }
        if (builds != null) {
            builds.close();
        }
        if (clusters != null) {
            clusters.close();
        }
        if (maven != null) {
            maven.close();
        }
        if (jobRepo != null) {
            jobRepo.close();
        }
    }

    @Test
    void aProjectIsBuiltDeployedUpgradedOnACommitAndABrokenCommitLeavesTheJobRunning() throws Exception {
        // the first commit is built and its jar runs on the local cluster
        AppStatus first = await("the job built from the first commit runs", () -> running(null));
        BuildRecord build1 = latest();
        assertThat(build1.status()).isEqualTo(BuildRecord.SUCCEEDED);
        assertThat(build1.reusedFrom()).isNull();
        assertThat(build1.log()).contains("Building " + PROJECT).contains("Artifact target/job.jar sha256:");
        String jar1 = build1.artifact("target/job.jar").orElseThrow().sha256();
        assertThat(builds.artifacts().path(jar1)).isPresent();
        assertThat(deployedArtifact()).isEqualTo(jar1);

        // a commit that changes the job: rebuilt, and the job is upgraded with a savepoint
        edit("static final long FACTOR = 1;", "static final long FACTOR = 2;");
        commit("double it");
        builds.pushed(jobRepo.getRepository().getDirectory().getParentFile().toURI().toString(), "main"::equals);
        AppStatus second = await("the job built from the second commit runs", () -> running(first.jobId()));
        BuildRecord build2 = latest();
        assertThat(build2.id()).isGreaterThan(build1.id());
        assertThat(build2.status()).isEqualTo(BuildRecord.SUCCEEDED);
        String jar2 = build2.artifact("target/job.jar").orElseThrow().sha256();
        assertThat(jar2).isNotEqualTo(jar1);
        assertThat(deployedArtifact()).isEqualTo(jar2);
        List<Deployment> deployments = store.deployments(APP, 10);
        assertThat(deployments.get(0).jobId()).isEqualTo(second.jobId());
        assertThat(deployments.get(0).restoredFrom()).as("the upgrade restored from a savepoint").isNotNull();
        assertThat(deployments).extracting(Deployment::jarSha256).as("each job's deployment names its jar")
                .startsWith(jar2, jar1);
        assertThat(store.savepoints(APP)).extracting(SavepointRecord::path).contains(deployments.get(0).restoredFrom());
        assertThat(store.savepoints(APP)).filteredOn(s -> s.path().equals(deployments.get(0).restoredFrom()))
                .singleElement().satisfies(s -> assertThat(s.sizeBytes()).as("measured on the local disk").isPositive());

        // building the same commit again reuses the artifact: no Maven, no restart
        long reusedId = builds.request(PROJECT, "alice");
        BuildRecord reused = buildStore.build(reusedId).orElseThrow();
        assertThat(reused.status()).isEqualTo(BuildRecord.SUCCEEDED);
        assertThat(reused.reusedFrom()).isEqualTo(build2.id());
        assertThat(reused.trigger()).isEqualTo("requested by alice");
        assertThat(reused.log()).contains("Maven does not run").doesNotContain("$ ");
        assertThat(reused.artifact("target/job.jar").orElseThrow().sha256()).isEqualTo(jar2);

        // a broken commit: the build fails with its log, the job keeps running, the app shows Degraded
        edit("return n * FACTOR;", "return n * FACTOR");
        commit("break it");
        builds.pushed(jobRepo.getRepository().getDirectory().getParentFile().toURI().toString(), "main"::equals);
        BuildRecord failed = await("the broken commit's build fails", () -> Optional.of(latest())
                .filter(b -> b.id() > reusedId && BuildRecord.FAILED.equals(b.status())));
        assertThat(failed.message()).startsWith("Maven exited with 1: src/main/java/example/Job.java:")
                .contains("';' expected");
        assertThat(buildStore.build(failed.id()).orElseThrow().log()).contains("COMPILATION ERROR");
        AppStatus degraded = await("the app shows the failed build", () -> store.status(APP)
                .filter(s -> "Degraded".equals(s.health())));
        assertThat(degraded.message()).contains("build #" + failed.id()).contains("/projects/" + PROJECT + "/builds/"
                + failed.id());
        assertThat(degraded.jobId()).isEqualTo(second.jobId());
        assertThat(degraded.jobState()).isEqualTo("RUNNING");
        assertThat(store.events(APP, 50)).filteredOn(e -> e.type().equals("build-failed"))
                .singleElement().satisfies(e -> {
                    assertThat(e.severity()).isEqualTo("error");
                    assertThat(e.message()).contains("build #" + failed.id()).contains("not touched");
                });
        assertThat(store.deployments(APP, 10).get(0).jobId()).isEqualTo(second.jobId());
    }

    /** The app's status once a job other than {@code previous} is RUNNING and synced. */
    private Optional<AppStatus> running(String previous) {
        return store.status(APP).filter(s -> "RUNNING".equals(s.jobState()) && "Synced".equals(s.sync())
                && s.jobId() != null && !s.jobId().equals(previous));
    }

    private String deployedArtifact() {
        return reconciler.current().orElseThrow().desired().applications().get(0).spec().job().jar().project().sha256();
    }

    private BuildRecord latest() {
        return buildStore.build(buildStore.builds(PROJECT, 1).get(0).id()).orElseThrow();
    }

    private void edit(String from, String to) throws IOException {
        Path file = jobRepo.getRepository().getWorkTree().toPath().resolve("src/main/java/example/Job.java");
        String text = Files.readString(file, StandardCharsets.UTF_8);
        assertThat(text).contains(from);
        Files.writeString(file, text.replace(from, to), StandardCharsets.UTF_8);
    }

    private void commit(String message) throws GitAPIException {
        jobRepo.add().addFilepattern(".").call();
        jobRepo.commit().setMessage(message).setAuthor("Test", "test@example.com")
                .setCommitter("Test", "test@example.com").setSign(false).call();
    }

    private <T> T await(String what, Supplier<Optional<T>> check) throws InterruptedException {
        long deadline = System.nanoTime() + LONG.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<T> value = check.get();
            if (value.isPresent()) {
                return value.get();
            }
            Thread.sleep(250);
        }
        List<BuildRecord> recent = buildStore.builds(PROJECT, 5);
        throw new AssertionError("timed out waiting until " + what + "; status " + store.status(APP).orElse(null)
                + "; builds " + recent + "; last log:\n"
                + (recent.isEmpty() ? "" : buildStore.build(recent.get(0).id()).orElseThrow().log())
                + "\nevents " + store.events(APP, 10).stream().map(AppEvent::message).toList());
    }
}
