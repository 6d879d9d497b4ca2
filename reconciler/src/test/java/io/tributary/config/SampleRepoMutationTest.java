package io.tributary.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Breaks one thing at a time in a copy of {@code sample-repo/}, as a user editing it would, and
 * expects exactly one error, on the file and line that was changed.
 */
class SampleRepoMutationTest {
    private static final Path SAMPLE = Path.of("../sample-repo");

    @TempDir
    Path temp;

    @ParameterizedTest(name = "{0}: ''{1}'' -> ''{2}''")
    @CsvSource(delimiter = '|', textBlock = """
        teams/payments/apps.yaml     | cluster: local                 | cluster: lcoal                  | cluster "lcoal" does not exist; did you mean "local"?
        teams/payments/apps.yaml     | flinkVersion: flink-1.20       | flinkVersion: flink-1.02        | Flink version "flink-1.02" does not exist; did you mean "flink-1.20"?
        teams/payments/apps.yaml     | parallelism: 2                 | parallelism: two                | expected a whole number, found "two"
        teams/payments/apps.yaml     | name: orders-revenue           | name: Orders_Revenue            | must be lowercase letters
        teams/payments/apps.yaml     | upgradeMode: savepoint         | upgradeMod: savepoint           | unknown field "upgradeMod"; did you mean "upgradeMode"?
        teams/payments/apps.yaml     | interval: 10s                  | interval: 10 sec                | must be a whole number with a unit
        teams/payments/apps.yaml     | 'rows-per-second' = '${orders_rate}' | 'rows-per-second' = '${order_rate}' | unknown variable "order_rate"; did you mean "orders_rate"?
        sql/orders-revenue.sql       | ${orders_rate}                 | ${orders_rates}                 | unknown variable "orders_rates"; did you mean "orders_rate"?
        teams/payments/team.yaml     | {user: bob, role: developer}   | {user: bobby, role: developer}  | user "bobby" does not exist; did you mean "bob"?
        teams/payments/team.yaml     | {user: carol, role: operator}  | {user: carol, role: operater}   | role "operater" does not exist; did you mean "operator"?
        teams/payments/alerts.yaml   | channels: [payments-oncall     | channels: [payments-on-call     | alert channel "payments-on-call" does not exist; did you mean "payments-oncall"?
        teams/analytics/alerts.yaml  | ${dingtalk_access_token}       | ${dingtalk_token}               | unknown variable "dingtalk_token"
        platform/clusters.yaml       | mode: standalone               | mode: standalon                 | "standalon" is not one of
        platform/flink-versions.yaml | version: 2.3.0                 | version: [2.3.0]                | expected a string, found a list
        """)
    void oneBrokenThingGivesOneErrorOnItsLine(String file, String original, String broken, String message)
            throws Exception {
        Path repo = temp.resolve("repo");
        TestRepos.copyTree(SAMPLE, repo);
        Path target = repo.resolve(file);
        List<String> lines = Files.readAllLines(target);
        int index = firstNonCommentLineContaining(lines, original);
        lines.set(index, lines.get(index).replace(original, broken));
        Files.write(target, lines);

        List<ConfigError> errors = new ConfigLoader().load(repo).errors();

        assertThat(errors).hasSize(1);
        ConfigError error = errors.get(0);
        assertThat(error.file()).isEqualTo(file);
        assertThat(error.line()).isEqualTo(index + 1);
        assertThat(error.message()).contains(message);
    }

    private static int firstNonCommentLineContaining(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.contains(text) && !line.strip().startsWith("#") && !line.strip().startsWith("--")) {
                return i;
            }
        }
        throw new AssertionError("the sample no longer contains " + text);
    }
}
