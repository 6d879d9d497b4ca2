package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.Tributary;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code tributary serve} that cannot start says why in one line (exit code 2 for a mistake in how it
 * was started, 1 for a database that does not answer), and leaves nothing running behind it (the
 * embedded PostgreSQL it may have started is stopped again).
 */
class ServeStartFailureIT {
    @TempDir
    Path temp;

    record Run(int exitCode, String err) {}

    private static Run serve(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cli = Tributary.commandLine();
        cli.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 1];
        all[0] = "serve";
        System.arraycopy(args, 0, all, 1, args.length);
        int code = cli.execute(all);
        return new Run(code, err.toString());
    }

    @Test
    void aMistypedRepositorySaysSoBeforeAnythingIsStarted() {
        Path data = temp.resolve("data");

        Run run = serve("--repo", temp.resolve("no-such-config").toString(), "--data-dir", data.toString(),
                "--port", "0");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().lines()).containsExactly("tributary serve: no folder " + temp.resolve("no-such-config")
                + "; check the location (a path on this machine, or a Git URL)");
        assertThat(data.resolve("postgres")).as("no database was started for a repository that is not there")
                .doesNotExist();
    }

    @Test
    void aSecretFileThatCannotBeReadIsNamedWithItsFlagBeforeAnythingIsStarted() throws Exception {
        Path data = temp.resolve("data");
        Path token = temp.resolve("secrets/git-token");

        Run run = serve("--repo", configFolder().toString(), "--data-dir", data.toString(), "--port", "0",
                "--git-token-file", token.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().lines()).containsExactly("tributary serve: cannot read the token file " + token
                + ": there is no such file; check --git-token-file (or TRIBUTARY_GIT_TOKEN_FILE)");
        assertThat(data.resolve("postgres")).doesNotExist();
    }

    @Test
    void anEmptyWebhookSecretAndAPollIntervalThatIsNoDurationAreOneLineEach() throws Exception {
        Path empty = Files.writeString(temp.resolve("webhook-secret"), "\n");

        Run secret = serve("--repo", configFolder().toString(), "--data-dir", temp.resolve("data").toString(),
                "--port", "0", "--webhook-secret-file", empty.toString());
        Run interval = serve("--repo", configFolder().toString(), "--data-dir", temp.resolve("data").toString(),
                "--port", "0", "--poll-interval", "30 seconds");

        assertThat(secret.exitCode()).isEqualTo(2);
        assertThat(secret.err().lines()).singleElement().asString()
                .startsWith("tributary serve: the webhook secret from file " + empty + " is empty;");
        assertThat(interval.exitCode()).isEqualTo(2);
        assertThat(interval.err().lines()).containsExactly("tributary serve: --poll-interval (TRIBUTARY_POLL_INTERVAL):"
                + " \"30 seconds\" is not a duration: write a whole number and a unit, e.g. 500ms, 30s, 10m, 2h, 7d");
    }

    @Test
    void numbersOutOfTheirRangeAreOneLineEachNamingTheFlag() throws Exception {
        String repo = configFolder().toString();
        String data = temp.resolve("data").toString();

        Run workers = serve("--repo", repo, "--data-dir", data, "--port", "0", "--workers", "0");
        Run interval = serve("--repo", repo, "--data-dir", data, "--port", "0", "--poll-interval", "0s");

        assertThat(workers.exitCode()).isEqualTo(2);
        assertThat(workers.err().lines()).containsExactly("tributary serve: --workers (TRIBUTARY_WORKERS) must be at"
                + " least 1, not 0: it is how many operations run at once across apps");
        assertThat(interval.exitCode()).isEqualTo(2);
        assertThat(interval.err().lines()).singleElement().asString()
                .startsWith("tributary serve: --poll-interval (TRIBUTARY_POLL_INTERVAL) must be at least 1s, not 0ms;");
        assertThat(temp.resolve("data/postgres")).as("nothing was started").doesNotExist();
    }

    private Path configFolder() throws Exception {
        Path repo = Files.createDirectories(temp.resolve("config"));
        Files.writeString(repo.resolve("platform.yaml"), """
                apiVersion: tributary.io/v1
                kind: FlinkVersion
                metadata: {name: flink-1.20}
                spec: {version: 1.20.1, default: true}
                """);
        return repo;
    }

    @Test
    void aDatabaseThatRefusesConnectionsIsNamedAfterItsWaitAndTheExitCodeAsksForAnotherTry() throws Exception {
        int closed;
        try (ServerSocket probe = new ServerSocket(0)) {
            closed = probe.getLocalPort(); // free again once closed: nothing listens there
        }
        String url = "jdbc:postgresql://127.0.0.1:" + closed + "/tributary?password=never-printed";

        Run run = serve("--repo", configFolder().toString(), "--data-dir", temp.resolve("data").toString(),
                "--database", url, "--port", "0");

        assertThat(run.exitCode()).as("not a usage error: the same start may work once the database is up")
                .isEqualTo(1);
        assertThat(run.err().lines()).hasSize(1);
        assertThat(run.err()).startsWith("tributary serve: cannot connect to the database jdbc:postgresql://127.0.0.1:"
                + closed + "/tributary?password=****: ").contains("refused").doesNotContain("never-printed");
    }

    @Test
    void aBusyPortSaysSoAndStopsTheDatabaseItStarted() throws Exception {
        Path repo = configFolder();
        Path data = temp.resolve("data");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("0.0.0.0"))) {
            int port = taken.getLocalPort();

            Run run = serve("--repo", repo.toString(), "--data-dir", data.toString(), "--port", String.valueOf(port));

            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err().lines()).containsExactly("tributary serve: port " + port
                    + " is in use; stop what listens there, or pick another with --port (TRIBUTARY_PORT)");
        }
        assertThat(data.resolve("postgres")).as("the database was started before the port was tried").isDirectory();
        assertThat(data.resolve("postgres/postmaster.pid")).as("and stopped when the service could not start")
                .doesNotExist();
    }
}
