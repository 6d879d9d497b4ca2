package io.tributary.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a config repository with a given number of applications, spread over teams of 100
 * apps, each team with its variables, alert channel and policy; half the apps read a SQL file
 * and half carry an inline script, all use variables.
 */
final class RepoGenerator {
    private static final int APPS_PER_TEAM = 100;
    private static final String API = "apiVersion: tributary.io/v1\n";

    private RepoGenerator() {}

    static void write(Path repo, int apps) throws IOException {
        write(repo, apps, """
                  mode: standalone
                  managed: true
                  standalone: {taskManagers: 2, slotsPerTaskManager: 8}
                  flinkConfiguration: {taskmanager.memory.process.size: 1728m}
                """);
    }

    /** As {@link #write(Path, int)}, with the spec lines of the cluster {@code local} given. */
    static void write(Path repo, int apps, String clusterSpec) throws IOException {
        Files.createDirectories(repo.resolve("platform"));
        Files.createDirectories(repo.resolve("sql"));
        Files.writeString(repo.resolve("platform/platform.yaml"), API + """
                kind: FlinkVersion
                metadata: {name: flink-1.20}
                spec: {version: 1.20.1, default: true}
                ---
                """ + API + """
                kind: Cluster
                metadata: {name: local}
                spec:
                """ + clusterSpec + """
                ---
                """ + API + """
                kind: User
                metadata: {name: owner}
                spec: {displayName: Owner, email: owner@example.com}
                ---
                """ + API + """
                kind: Variable
                metadata: {name: output_root}
                spec: {value: file:///tmp/bench}
                """);
        Files.writeString(repo.resolve("sql/job.sql"), """
                CREATE TABLE source (id BIGINT, amount DOUBLE) WITH ('connector' = 'datagen', 'rows-per-second' = '${rate}');
                CREATE TABLE sink (id BIGINT, amount DOUBLE) WITH ('connector' = 'filesystem', 'path' = '${output_root}/x', 'format' = 'csv');
                INSERT INTO sink SELECT id, amount FROM source WHERE amount > ${threshold};
                """);
        int teams = (apps + APPS_PER_TEAM - 1) / APPS_PER_TEAM;
        for (int t = 0; t < teams; t++) {
            String team = "team-" + t;
            Path dir = Files.createDirectories(repo.resolve("teams").resolve(team));
            Files.writeString(dir.resolve("team.yaml"), API + """
                    kind: Team
                    metadata: {name: %1$s}
                    spec:
                      members: [{user: owner, role: admin}]
                    ---
                    """.formatted(team) + API + """
                    kind: Variable
                    metadata: {name: rate, team: %1$s}
                    spec: {value: "100"}
                    ---
                    """.formatted(team) + API + """
                    kind: Variable
                    metadata: {name: threshold, team: %1$s}
                    spec: {value: "10.5"}
                    ---
                    """.formatted(team) + API + """
                    kind: AlertChannel
                    metadata: {name: oncall, team: %1$s}
                    spec: {type: email, email: {to: [oncall@example.com]}}
                    ---
                    """.formatted(team) + API + """
                    kind: AlertPolicy
                    metadata: {name: default, team: %1$s}
                    spec:
                      channels: [oncall]
                      rules: [{event: job-failed}, {event: checkpoint-failures, count: 3, within: 10m}]
                    """.formatted(team));
            StringBuilder appsYaml = new StringBuilder();
            for (int a = 0; a < APPS_PER_TEAM && t * APPS_PER_TEAM + a < apps; a++) {
                appsYaml.append(a == 0 ? "" : "---\n").append(API).append(application(team, "app-" + a, a % 2 == 0));
            }
            Files.writeString(dir.resolve("apps.yaml"), appsYaml);
        }
    }

    private static String application(String team, String name, boolean sqlFile) {
        String sql = sqlFile ? "    sql: {file: sql/job.sql}\n" : """
                    sql:
                      script: |
                        CREATE TABLE s (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '${rate}');
                        CREATE TABLE t (id BIGINT) WITH ('connector' = 'blackhole');
                        INSERT INTO t SELECT id FROM s;
                """;
        return """
                kind: Application
                metadata: {name: %s, team: %s, labels: {tier: gold}}
                spec:
                  deployment: {mode: standalone-session, cluster: local}
                  job:
                    type: sql
                %s  parallelism: 2
                  upgradeMode: savepoint
                  checkpoints: {interval: 30s, mode: exactly-once, timeout: 10m}
                  savepoints: {retention: {maxCount: 10, maxAge: 7d}}
                  restartPolicy: {maxRestarts: 3, window: 10m, from: last-checkpoint}
                  flinkConfiguration: {table.exec.state.ttl: 1h}
                  alertPolicies: [default]
                """.formatted(name, team, sql);
    }
}
