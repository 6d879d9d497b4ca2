package io.tributary.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.model.Application;
import io.tributary.model.Cluster;
import io.tributary.model.DesiredState;
import io.tributary.model.Kind;
import io.tributary.model.Project;
import io.tributary.model.ResourceId;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a loaded repository holds: substituted variables, scopes and defaults. */
class ConfigLoaderTest {
    private static final ConfigLoader LOADER = new ConfigLoader();

    @TempDir
    Path temp;

    private DesiredState loadValid(String validCase) {
        Path overlay = validCase == null ? null : TestRepos.ROOT.resolve("valid").resolve(validCase);
        ConfigLoader.Result result = LOADER.load(TestRepos.baseWith(overlay, temp));
        assertThat(result.errors()).isEmpty();
        return result.state();
    }

    private static Application app(DesiredState state, String team, String name) {
        return (Application) state.get(new ResourceId(Kind.APPLICATION, team, name)).orElseThrow();
    }

    @Test
    void sqlFileIsReadWithTeamVariablesSubstituted() {
        Application orders = app(loadValid(null), "payments", "orders");
        assertThat(orders.spec().job().sql().text()).contains("'rows-per-second' = '10'").doesNotContain("${");
    }

    @Test
    void teamVariableShadowsPlatformVariableOfTheSameName() {
        Application orders = app(loadValid("team-variable-shadows-platform"), "payments", "orders");
        assertThat(orders.spec().job().sql().text()).contains("'rows-per-second' = '10'");
    }

    @Test
    void escapedReferenceBecomesLiteral() {
        Application escaped = app(loadValid("escaped-variable-stays-literal"), "payments", "escaped");
        assertThat(escaped.spec().job().sql().text()).contains("-- ${not_a_variable} is written literally");
    }

    @Test
    void secretVariablesStayReferencesSoTheirValueIsNeverLoaded() {
        DesiredState state = loadValid("secret-variable-in-sql-and-credentials");
        assertThat(app(state, "payments", "secret-sql").spec().job().sql().text()).contains("'${kafka_password}'");
        Project project = (Project) state.get(new ResourceId(Kind.PROJECT, "payments", "jobs")).orElseThrow();
        assertThat(project.spec().git().credentials().variable()).isEqualTo("kafka_password");
    }

    @Test
    void variablesMayFillTypedFields() {
        Application typed = app(loadValid("variables-in-typed-fields"), "payments", "typed");
        assertThat(typed.spec().job().jar().maven()).isEqualTo("com.example:job:1.4.2");
        assertThat(typed.spec().checkpoints().interval().duration()).hasSeconds(30);
    }

    @Test
    void defaultsFollowTheFormat() {
        Application.Spec spec = app(loadValid(null), "payments", "orders").spec();
        assertThat(spec.parallelism()).isEqualTo(1);
        assertThat(spec.state()).isEqualTo(Application.DesiredState.RUNNING);
        assertThat(spec.upgradeMode()).isEqualTo(Application.UpgradeMode.SAVEPOINT);
        assertThat(spec.allowStatelessFallback()).isFalse();
        assertThat(spec.prune()).isTrue();
        assertThat(spec.restartPolicy().maxRestarts()).isEqualTo(3);
        assertThat(spec.restartPolicy().window().duration()).hasMinutes(10);
        assertThat(spec.restartPolicy().from()).isEqualTo(Application.RestartFrom.LAST_CHECKPOINT);
    }

    @Test
    void flinkConfigurationValuesArePassedAsWritten() {
        Cluster local = (Cluster) loadValid("team-cluster-shadows-platform")
                .get(new ResourceId(Kind.CLUSTER, "payments", "local")).orElseThrow();
        assertThat(local.spec().flinkConfiguration()).containsEntry("taskmanager.memory.process.size", "2g")
                .containsEntry("parallelism.default", "2")
                .containsEntry("pipeline.object-reuse", "true");
    }

    @Test
    void emptyDirectoryIsAValidEmptyPlatform() throws Exception {
        ConfigLoader.Result result = LOADER.load(Files.createDirectory(temp.resolve("empty")));
        assertThat(result.errors()).isEmpty();
        assertThat(result.state().size()).isZero();
    }

    @Test
    void sampleRepositoryIsValid() {
        ConfigLoader.Result result = LOADER.load(Path.of("../sample-repo"));
        assertThat(result.errors()).isEmpty();
        assertThat(result.state().applications()).extracting(a -> a.spec().deployment().mode())
                .containsAll(java.util.EnumSet.allOf(Application.DeploymentMode.class));
    }

    // A loader keeps the parse of files that did not change; these reloads change what an
    // unchanged file resolves to, or where its errors are, and must see it.

    private static void replaceIn(Path file, String from, String to) throws Exception {
        Files.writeString(file, Files.readString(file).replace(from, to));
    }

    @Test
    void reloadSeesAChangedVariableInAnUnchangedApplication() throws Exception {
        ConfigLoader loader = new ConfigLoader();
        Path repo = TestRepos.baseWith(null, temp);
        loader.load(repo);
        replaceIn(repo.resolve("teams/payments/variables.yaml"), "value: \"10\"", "value: \"25\"");
        ConfigLoader.Result result = loader.load(repo);
        assertThat(result.errors()).isEmpty();
        assertThat(app(result.state(), "payments", "orders").spec().job().sql().text())
                .contains("'rows-per-second' = '25'");
    }

    @Test
    void reloadSeesAChangedSqlFileOfAnUnchangedApplication() throws Exception {
        ConfigLoader loader = new ConfigLoader();
        Path repo = TestRepos.baseWith(null, temp);
        loader.load(repo);
        replaceIn(repo.resolve("sql/orders.sql"), "SELECT id", "SELECT id + 1");
        ConfigLoader.Result result = loader.load(repo);
        assertThat(app(result.state(), "payments", "orders").spec().job().sql().text()).contains("SELECT id + 1");
    }

    @Test
    void reloadReportsAnErrorAtItsNewLineAfterTheFileGrew() throws Exception {
        ConfigLoader loader = new ConfigLoader();
        Path repo = TestRepos.baseWith(null, temp);
        Path apps = repo.resolve("teams/payments/apps.yaml");
        replaceIn(apps, "cluster: local", "cluster: lcoal");
        assertThat(loader.load(repo).errors()).extracting(ConfigError::line).containsExactly(7);
        Files.writeString(apps, "# moved down by two lines\n#\n" + Files.readString(apps));
        assertThat(loader.load(repo).errors()).extracting(ConfigError::line).containsExactly(9);
    }

    @Test
    void reloadOfTheSameFilesGivesTheSameStateAndErrors() throws Exception {
        ConfigLoader loader = new ConfigLoader();
        Path repo = TestRepos.baseWith(null, temp);
        replaceIn(repo.resolve("teams/payments/apps.yaml"), "cluster: local", "cluster: lcoal");
        ConfigLoader.Result first = loader.load(repo);
        ConfigLoader.Result second = loader.load(repo);
        assertThat(second.errors()).isEqualTo(first.errors()).isNotEmpty();
        assertThat(second.state().size()).isEqualTo(first.state().size());
    }
}
