package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.Tributary;
import io.tributary.source.Credentials;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code tributary user set-password NAME} against a real store, then a login over HTTP: while the
 * service is stopped (the command runs the embedded database itself), while it runs (from this JVM and
 * from another process, through the running server), and with {@code --database}; refused where no
 * service ever ran.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UserCommandIT {
    @TempDir
    static Path temp;
    private Path data;
    private ServiceConfig config;
    private Service service;
    private Http http;

    /** What one run of the command did. */
    record Run(int exitCode, String out, String err) {}

    @BeforeAll
    void start() throws Exception {
        Path repo = temp.resolve("config");
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            StringBuilder yaml = new StringBuilder("""
                    apiVersion: tributary.io/v1
                    kind: FlinkVersion
                    metadata: {name: flink-1.20}
                    spec: {version: 1.20.1, default: true}
                    """);
            for (String user : List.of("carol", "dave", "erin", "frank")) {
                yaml.append("---\napiVersion: tributary.io/v1\nkind: User\nmetadata: {name: ").append(user)
                        .append("}\nspec: {displayName: ").append(user).append(", email: ").append(user)
                        .append("@example.com}\n");
            }
            Files.writeString(repo.resolve("platform.yaml"), yaml);
            git.add().addFilepattern(".").call();
            git.commit().setMessage("four users").setAuthor("t", "t@example.com").call();
        }
        data = temp.resolve("data");

        Run tooEarly = run("carol-set-this-while-stopped\n", "user", "set-password", "carol", "--data-dir",
                data.toString());
        assertThat(tooEarly.exitCode()).isEqualTo(1);
        assertThat(tooEarly.err()).contains("there is no database in " + data).contains("--data-dir the service runs with");

        config = new ServiceConfig(repo.toString(), "main", null, new Credentials.None(), data, null, null, null, 0,
                Duration.ofHours(1), 1, Path.of(System.getProperty("user.home"), ".m2", "repository"),
                ServiceApi.ADMIN_PASSWORD);
        Service.start(config).close();

        Run stopped = run("carol-set-this-while-stopped\n", "user", "set-password", "carol", "--data-dir", data.toString());
        assertThat(stopped.exitCode()).as(stopped.err()).isZero();
        assertThat(stopped.out()).contains("Password of carol set");

        service = Service.start(config);
        http = new Http(service.port());
        Await.until("the revision is applied", Duration.ofSeconds(60), () -> service.reconciler().current().isPresent());
    }

    @AfterAll
    void stop() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void aPasswordSetWhileTheServiceWasStoppedLetsTheUserLogIn() {
        assertThat(login("carol", "carol-set-this-while-stopped")).isEqualTo(200);
    }

    @Test
    void whileTheServiceRunsTheCommandGoesThroughItsDatabaseServer() {
        Run run = run("dave-chose-this-password\n", "user", "set-password", "dave", "--data-dir", data.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(login("dave", "dave-chose-this-password")).isEqualTo(200);
        assertThat(service.reconciler().store().auditEvents(20)).anySatisfy(e -> {
            assertThat(e.action()).isEqualTo("set-password");
            assertThat(e.target()).isEqualTo("user dave");
            assertThat(e.actor()).startsWith("cli:");
        });
    }

    @Test
    void fromAnotherProcessAsAnOperatorRunsIt() throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), "io.tributary.Tributary",
                "user", "set-password", "erin", "--data-dir", data.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(temp.resolve("erin.log").toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("TRIBUTARY_"));
        Process process = builder.start();
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write("erin-typed-this-in-a-pipe\n".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("the command ends").isTrue();
        String output = Files.readString(temp.resolve("erin.log"));
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("Password of erin set");
        assertThat(login("erin", "erin-typed-this-in-a-pipe")).isEqualTo(200);
    }

    @Test
    void withDatabaseTheCommandUsesThatServer() throws IOException {
        String port = Files.readString(data.resolve("postgres.port")).strip();
        Run run = run("frank-password-via-jdbc\n", "user", "set-password", "frank",
                "--database", "jdbc:postgresql://localhost:" + port + "/tributary", "--database-user", "postgres");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(login("frank", "frank-password-via-jdbc")).isEqualTo(200);

        // the database password as the service takes it, from a file (a mounted secret), named when missing
        Run noSecret = run("frank-second-password\n", "user", "set-password", "frank",
                "--database", "jdbc:postgresql://localhost:" + port + "/tributary", "--database-user", "postgres",
                "--database-password-file", data.resolve("no-such-secret").toString());
        assertThat(noSecret.exitCode()).isEqualTo(1);
        assertThat(noSecret.err()).contains("no-such-secret").contains("--database-password-file");
        assertThat(login("frank", "frank-password-via-jdbc")).isEqualTo(200);
    }

    @Test
    void aWeakPasswordOrABadNameChangesNothing() {
        Run weak = run("short\n", "user", "set-password", "carol", "--data-dir", data.toString());
        assertThat(weak.exitCode()).isEqualTo(2);
        assertThat(weak.err()).contains("at least 12 characters").contains("nothing was changed");
        Run none = run("", "user", "set-password", "carol", "--data-dir", data.toString());
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).contains("no password on stdin");
        Run traversal = run("a-long-enough-password\n", "user", "set-password", "../carol", "--data-dir", data.toString());
        assertThat(traversal.exitCode()).isEqualTo(2);
        assertThat(traversal.err()).contains("is not a user name");
        assertThat(login("carol", "carol-set-this-while-stopped")).isEqualTo(200);
    }

    @Test
    void aUserGitDoesNotDeclareGetsAPasswordButCannotLogInUntilDeclared() {
        Run run = run("zed-is-not-in-git-yet\n", "user", "set-password", "zed", "--data-dir", data.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("They can log in while Git declares a User named zed");
        assertThat(login("zed", "zed-is-not-in-git-yet")).isEqualTo(401);
    }

    @Test
    void thePasswordIsNeverAFlag() {
        Run run = run("", "user", "set-password", "carol", "--password", "carol-in-shell-history");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Unknown option").contains("--password");
    }

    private int login(String user, String password) {
        return Http.send(http.request("/api/v1/login").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"" + user + "\",\"password\":\"" + password + "\"}")))
                .statusCode();
    }

    /** Runs {@code tributary args...} in this JVM with {@code stdin} as its standard input. */
    private static synchronized Run run(String stdin, String... args) {
        InputStream original = System.in;
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        try {
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            CommandLine cli = Tributary.commandLine();
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            int code = cli.execute(args);
            return new Run(code, out.toString(), err.toString());
        } finally {
            System.setIn(original);
        }
    }
}
