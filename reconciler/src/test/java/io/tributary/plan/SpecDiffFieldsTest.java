package io.tributary.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.config.ConfigLoader;
import io.tributary.config.TestRepos;
import io.tributary.model.Application;
import io.tributary.model.DesiredState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the dashboard lists under "Git vs running": every differing field of the base repo's payments/orders, one line each. */
class SpecDiffFieldsTest {
    private static final String APP = """
            apiVersion: tributary.io/v1
            kind: Application
            metadata: {name: orders, team: payments}
            spec:
              deployment:
                mode: standalone-session
                cluster: local
              job:
                type: sql
                sql:
                  file: sql/orders.sql
                dependencies: [%s]
              parallelism: %d
              flinkConfiguration: {%s}
              alertPolicies: [payments-default]
            """;

    @TempDir
    Path temp;

    @Test
    void listsParallelismSqlLinesFlinkOptionsAndDependenciesOneFieldEach() throws IOException {
        DesiredState before = load("before", APP.formatted("org.example:a:1", 2,
                "taskmanager.numberOfTaskSlots: 2, pipeline.name: orders"), null, null);
        DesiredState after = load("after", APP.formatted("org.example:a:1, org.example:b:2", 4,
                "taskmanager.numberOfTaskSlots: 4, table.exec.state.ttl: 1h, pipeline.name: orders"),
                """
                CREATE TABLE orders (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '${orders_rate}');
                CREATE TABLE sink (id BIGINT, note STRING) WITH ('connector' = 'blackhole');
                INSERT INTO sink SELECT id, 'x' FROM orders;
                -- a comment
                """, null);

        assertThat(summaries(before, after)).containsExactly(
                "job.sql: 3 lines added, 2 removed",
                "job.dependencies: added org.example:b:2",
                "parallelism: 2 -> 4",
                "flinkConfiguration.taskmanager.numberOfTaskSlots: 2 -> 4",
                "flinkConfiguration.table.exec.state.ttl: (none) -> 1h");
    }

    @Test
    void aChangedVariableIsOneLineWithItsValuesNotTheFieldsItIsWrittenIn() throws IOException {
        DesiredState before = load("before", APP.formatted("", 1, ""), null, "10");
        DesiredState after = load("after", APP.formatted("", 1, ""), null, "250");

        List<SpecDiff.Change> changes = fields(before, after);
        assertThat(changes).extracting(SpecDiff.Change::summary).containsExactly("variable orders_rate: 10 -> 250");
        assertThat(changes.get(0).field()).isEqualTo("variables.orders_rate");
        assertThat(changes.get(0).before()).isEqualTo("10");
    }

    @Test
    void aFlinkOptionThatMayHoldACredentialIsNamedButItsValueIsNotShown() throws IOException {
        DesiredState before = load("before", APP.formatted("", 1, "s3.secret-key: old-secret-value"), null, null);
        DesiredState after = load("after", APP.formatted("", 1, "s3.secret-key: new-secret-value"), null, null);

        List<SpecDiff.Change> changes = fields(before, after);
        assertThat(changes).hasSize(1);
        assertThat(changes.get(0).field()).isEqualTo("flinkConfiguration.s3.secret-key");
        assertThat(changes.get(0).before()).isNull();
        assertThat(changes.get(0).summary()).doesNotContain("secret-value").contains("not shown");
    }

    @Test
    void theSameSpecHasNoChanges() throws IOException {
        DesiredState state = load("same", APP.formatted("", 3, "pipeline.name: orders"), null, null);
        assertThat(fields(state, state)).isEmpty();
    }

    @Test
    void tributaryPlanKeepsItsShorterReasons() throws IOException {
        DesiredState before = load("before", APP.formatted("", 2, "a.b: 1, c.d: 1"), null, null);
        DesiredState after = load("after", APP.formatted("", 4, "a.b: 2, c.d: 1"), "SELECT 1;\n", null);

        assertThat(SpecDiff.app(orders(before), before, orders(after), after))
                .containsExactly("job.sql changed", "parallelism 2 -> 4", "flinkConfiguration changed (a.b)");
    }

    @Test
    void linesAreCountedTheWayAReviewCountsThem() {
        assertThat(Lines.describe("a\nb\nc\n", "a\nB\nc\n")).isEqualTo("1 line added, 1 removed");
        assertThat(Lines.describe("a\nb\n", "a\nb\nc\nd\n")).isEqualTo("2 lines added");
        assertThat(Lines.describe("a\nb\nc\n", "c\n")).isEqualTo("2 lines removed");
        assertThat(Lines.describe("a\nb", "a\r\nb\n")).isEqualTo("only line endings changed");
    }

    private List<String> summaries(DesiredState before, DesiredState after) {
        return fields(before, after).stream().map(SpecDiff.Change::summary).toList();
    }

    private static List<SpecDiff.Change> fields(DesiredState before, DesiredState after) {
        return SpecDiff.appFields(orders(before), before, orders(after), after);
    }

    private static Application orders(DesiredState state) {
        return state.applications().stream().filter(a -> a.id().qualifiedName().equals("payments/orders"))
                .findFirst().orElseThrow();
    }

    private DesiredState load(String name, String app, String sql, String rate) throws IOException {
        Path repo = TestRepos.baseWith(null, temp.resolve(name));
        Files.writeString(repo.resolve("teams/payments/apps.yaml"), app);
        if (sql != null) {
            Files.writeString(repo.resolve("sql/orders.sql"), sql);
        }
        if (rate != null) {
            Path variables = repo.resolve("teams/payments/variables.yaml");
            Files.writeString(variables, Files.readString(variables).replace("value: \"10\"", "value: \"" + rate + "\""));
        }
        ConfigLoader.Result result = new ConfigLoader().load(repo);
        assertThat(result.errors()).as(name).isEmpty();
        return result.state();
    }
}
