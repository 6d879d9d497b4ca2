package io.tributary.server;

import io.javalin.util.JavalinBindException;
import io.tributary.cli.GitAccess;
import io.tributary.cli.SecretFiles;
import io.tributary.server.webhooks.WebhookSecret;
import io.tributary.source.SourceException;
import io.tributary.store.Database;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tributary serve}: the reconcile loop, the managed clusters and the API, until stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Runs the service: follows a config repository and makes Flink match it.%n"
                + "Every flag has an environment variable (TRIBUTARY_<FLAG>, e.g. TRIBUTARY_DATA_DIR).")
public final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--repo", defaultValue = "${env:TRIBUTARY_REPO:-.}", paramLabel = "URL|PATH",
            description = "The config repository: a Git URL (https, ssh, file) or a local path (default: .).")
    String repo;

    @Option(names = "--branch", defaultValue = "${env:TRIBUTARY_BRANCH}", paramLabel = "REF",
            description = "Branch to follow, or tag or commit to pin (default: the remote's default branch).")
    String branch;

    @Option(names = "--path", defaultValue = "${env:TRIBUTARY_PATH}", paramLabel = "DIR",
            description = "Folder inside the repository that holds the config (a monorepo's sub-folder).")
    String path;

    @Mixin
    GitAccess git;

    @Mixin
    DatabaseOptions store;

    @Option(names = "--port", defaultValue = "${env:TRIBUTARY_PORT:-8080}", description = "HTTP port (default: 8080).")
    int port;

    @Option(names = "--poll-interval", defaultValue = "${env:TRIBUTARY_POLL_INTERVAL:-30s}", paramLabel = "DURATION",
            description = "How often the repository is fetched (default: 30s).")
    String pollInterval;

    @Option(names = "--workers", defaultValue = "${env:TRIBUTARY_WORKERS:-4}",
            description = "Operations run at once across apps (default: 4).")
    int workers;

    @Option(names = "--maven-repository", defaultValue = "${env:TRIBUTARY_MAVEN_REPOSITORY:-${sys:user.home}/.m2/repository}",
            paramLabel = "DIR", description = "Local Maven repository for Flink's and jobs' jars.")
    Path mavenRepository;

    @Option(names = "--webhook-secret-file", defaultValue = "${env:TRIBUTARY_WEBHOOK_SECRET_FILE}", paramLabel = "FILE",
            description = "File holding the secret webhook deliveries are signed with (or the secret itself in"
                    + " TRIBUTARY_WEBHOOK_SECRET); without one, webhooks are off. See docs/webhooks.md.")
    Path webhookSecretFile;

    /**
     * Secrets read only from the environment, never from a flag (a flag shows in {@code ps}); each
     * but the admin password also has a {@code --...-file} flag. Documented in docs/operations.md.
     */
    public static final java.util.List<String> SECRET_VARIABLES = java.util.List.of("TRIBUTARY_DATABASE_PASSWORD",
            "TRIBUTARY_ADMIN_PASSWORD", GitAccess.SSH_KEY_PASSPHRASE, "TRIBUTARY_WEBHOOK_SECRET");

    @Override
    public Integer call() throws InterruptedException {
        ServiceConfig config;
        try {
            config = new ServiceConfig(repo, branch, path, git.credentials(), store.dataDir(), store.database(),
                    store.databaseUser(), store.databasePassword(), port,
                    pollInterval(), workers, mavenRepository,
                    SecretFiles.variable("TRIBUTARY_ADMIN_PASSWORD"), webhookSecret());
        } catch (SecretFiles.Unreadable | IllegalArgumentException e) {
            return cannotStart(e.getMessage(), 2); // a secret file not there, an empty secret, a bad duration
        }
        Service service;
        try {
            service = Service.start(config);
        } catch (SourceException e) {
            return cannotStart(e.getMessage(), 2); // a mistyped --repo or --branch: the message says what to check
        } catch (JavalinBindException e) {
            return cannotStart("port " + port + " is in use; stop what listens there, or pick another with --port"
                    + " (TRIBUTARY_PORT)", 2);
        } catch (Database.Unavailable e) {
            return cannotStart(e.getMessage(), 1); // not a usage error: started again later, it may work
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stopped.countDown();
        }, "tributary-shutdown"));
        stopped.await();
        return 0;
    }

    /** Why the service could not start, in one line rather than a stack trace. */
    private int cannotStart(String why, int exitCode) {
        spec.commandLine().getErr().println("tributary serve: " + why);
        return exitCode;
    }

    private java.time.Duration pollInterval() {
        try {
            return io.tributary.model.TimeSpan.parse(pollInterval).duration();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--poll-interval (TRIBUTARY_POLL_INTERVAL): " + e.getMessage(), e);
        }
    }

    /** The file wins over the variable; neither: webhooks are off. */
    private WebhookSecret webhookSecret() {
        if (webhookSecretFile != null) {
            return WebhookSecret.of(SecretFiles.read(webhookSecretFile, "webhook secret", "--webhook-secret-file",
                    "TRIBUTARY_WEBHOOK_SECRET_FILE"), "file " + webhookSecretFile);
        }
        String secret = SecretFiles.variable("TRIBUTARY_WEBHOOK_SECRET");
        return secret == null ? null : WebhookSecret.of(secret, "TRIBUTARY_WEBHOOK_SECRET");
    }

}
