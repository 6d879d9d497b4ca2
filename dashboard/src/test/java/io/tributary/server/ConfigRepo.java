package io.tributary.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * A Git config repository for the service tests: a Flink 1.20 default, a managed local cluster, and
 * team {@code streams} with one SQL app, {@value #APP}, that counts generated rows and prints the count
 * under a name the tests change to make a new revision.
 */
final class ConfigRepo implements AutoCloseable {
    static final String APP = "streams/counter";
    static final String APP_FILE = "teams/streams/counter.yaml";

    private final Path dir;
    private final Git git;

    private ConfigRepo(Path dir, Git git) {
        this.dir = dir;
        this.git = git;
    }

    /** A new repository in {@code dir} whose first commit runs the app, printing as {@code printName}. */
    static ConfigRepo withCountingApp(Path dir, String printName) throws IOException, GitAPIException {
        ConfigRepo repo = new ConfigRepo(dir, Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call());
        repo.write("platform/platform.yaml", """
                apiVersion: tributary.io/v1
                kind: FlinkVersion
                metadata: {name: flink-1.20}
                spec: {version: 1.20.1, default: true}
                ---
                apiVersion: tributary.io/v1
                kind: Cluster
                metadata: {name: local}
                spec:
                  mode: standalone
                  managed: true
                  standalone: {taskManagers: 1, slotsPerTaskManager: 2}
                  flinkConfiguration:
                    jobmanager.memory.process.size: 1g
                    taskmanager.memory.process.size: 1g
                ---
                apiVersion: tributary.io/v1
                kind: User
                metadata: {name: alice}
                spec: {displayName: Alice, email: alice@example.com}
                ---
                apiVersion: tributary.io/v1
                kind: Team
                metadata: {name: streams}
                spec:
                  members: [{user: alice, role: admin}]
                """);
        repo.writeApp("running");
        repo.writeSql(printName);
        repo.commit("a counting SQL app");
        return repo;
    }

    /** A new repository in {@code dir} with no commit yet. */
    static ConfigRepo empty(Path dir) throws GitAPIException {
        return new ConfigRepo(dir, Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call());
    }

    /** Copies the files of a test resource folder (such as {@code repos/two-teams}) into the repository. */
    void copy(String resourceDir) throws IOException {
        Path from;
        try {
            from = Path.of(ConfigRepo.class.getClassLoader().getResource(resourceDir).toURI());
        } catch (java.net.URISyntaxException | NullPointerException e) {
            throw new IOException("no test resource folder " + resourceDir, e);
        }
        try (java.util.stream.Stream<Path> files = Files.walk(from)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                write(from.relativize(file).toString(), Files.readString(file));
            }
        }
    }

    /**
     * A new repository in {@code dir} that needs no Flink cluster: team {@code streams} with one SQL app,
     * {@value #YARN_APP}, in YARN per-job mode, whose Hadoop configuration folder does not exist here: it
     * is reported ({@code Degraded}, {@code OutOfSync}, with what to set) and never deployed.
     */
    static ConfigRepo withoutFlink(Path dir) throws IOException, GitAPIException {
        ConfigRepo repo = new ConfigRepo(dir, Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call());
        repo.write("platform/platform.yaml", """
                apiVersion: tributary.io/v1
                kind: FlinkVersion
                metadata: {name: flink-1.20}
                spec: {version: 1.20.1, default: true}
                ---
                apiVersion: tributary.io/v1
                kind: User
                metadata: {name: alice}
                spec: {displayName: Alice, email: alice@example.com}
                ---
                apiVersion: tributary.io/v1
                kind: Team
                metadata: {name: streams}
                spec:
                  members: [{user: alice, role: admin}]
                """);
        repo.write("teams/streams/ledger.yaml", """
                apiVersion: tributary.io/v1
                kind: Application
                metadata: {name: ledger, team: streams}
                spec:
                  deployment:
                    mode: yarn-per-job
                    yarn: {hadoopConfDir: /etc/hadoop/conf, queue: batch}
                  job:
                    type: sql
                    sql: {file: sql/counter.sql}
                """);
        repo.writeSql("ledger");
        repo.commit("an app that needs no Flink here");
        return repo;
    }

    static final String YARN_APP = "streams/ledger";

    Path dir() {
        return dir;
    }

    /** The app's file, with {@code state} (running, suspended) as its desired state. */
    void writeApp(String state) throws IOException {
        write(APP_FILE, """
                apiVersion: tributary.io/v1
                kind: Application
                metadata: {name: counter, team: streams}
                spec:
                  deployment: {mode: standalone-session, cluster: local}
                  job:
                    type: sql
                    sql: {file: sql/counter.sql}
                  state: %s
                  checkpoints: {interval: 5s}
                """.formatted(state));
    }

    /** The app's SQL: 20 rows a second counted, the count printed under {@code printName}. */
    void writeSql(String printName) throws IOException {
        write("sql/counter.sql", """
                CREATE TABLE numbers (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '20');
                CREATE TABLE counts (n BIGINT) WITH ('connector' = 'print', 'print-identifier' = '%s');
                INSERT INTO counts SELECT COUNT(*) FROM numbers;
                """.formatted(printName));
    }

    void write(String file, String text) throws IOException {
        Path path = dir.resolve(file);
        Files.createDirectories(path.getParent());
        Files.writeString(path, text);
    }

    void delete(String file) throws IOException, GitAPIException {
        Files.delete(dir.resolve(file));
        git.rm().addFilepattern(file).call();
    }

    /** Commits everything changed; returns the commit's full hash. */
    String commit(String message) throws GitAPIException {
        git.add().addFilepattern(".").call();
        RevCommit commit = git.commit().setMessage(message).setAuthor("test", "test@example.com").call();
        return commit.getName();
    }

    @Override
    public void close() {
        git.close();
    }
}
