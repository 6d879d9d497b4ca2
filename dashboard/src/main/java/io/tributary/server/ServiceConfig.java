package io.tributary.server;

import io.tributary.store.JdbcUrls;
import io.tributary.server.webhooks.WebhookSecret;
import io.tributary.source.Credentials;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the service runs, from flags and their environment variables.
 *
 * @param database a PostgreSQL JDBC URL, or null for the embedded server under {@code dataDir}
 * @param adminPassword the bootstrap admin's password, or null to generate one on first start
 * @param webhookSecret what webhook deliveries are signed with; null turns webhooks off
 */
public record ServiceConfig(String repo, String branch, String path, Credentials credentials, Path dataDir,
        String database, String databaseUser, String databasePassword, int port, Duration pollInterval, int workers,
        Path mavenRepository, String adminPassword, WebhookSecret webhookSecret) {

    /** A repository fetched more often than this gains nothing and loads its Git server. */
    static final Duration MIN_POLL_INTERVAL = Duration.ofSeconds(1);

    /** Each number a flag gives is checked here, the message naming the flag, so a start never fails half way on one. */
    public ServiceConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port (TRIBUTARY_PORT) must be a TCP port, 1 to 65535 (0: any free"
                    + " port), not " + port);
        }
        if (pollInterval.compareTo(MIN_POLL_INTERVAL) < 0) {
            throw new IllegalArgumentException("--poll-interval (TRIBUTARY_POLL_INTERVAL) must be at least "
                    + MIN_POLL_INTERVAL.toSeconds() + "s, not "
                    + pollInterval.toMillis() + "ms; webhooks and POST /api/v1/sync fetch at once when a commit lands");
        }
        if (workers < 1) {
            throw new IllegalArgumentException("--workers (TRIBUTARY_WORKERS) must be at least 1, not " + workers
                    + ": it is how many operations run at once across apps");
        }
    }

    /** Without a webhook secret: webhooks off. */
    public ServiceConfig(String repo, String branch, String path, Credentials credentials, Path dataDir,
            String database, String databaseUser, String databasePassword, int port, Duration pollInterval, int workers,
            Path mavenRepository, String adminPassword) {
        this(repo, branch, path, credentials, dataDir, database, databaseUser, databasePassword, port, pollInterval,
                workers, mavenRepository, adminPassword, null);
    }

    /** What is printed once at start-up: every setting, secrets masked. */
    public Map<String, String> describe() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("repo", repo);
        out.put("branch", branch == null ? "(remote default)" : branch);
        out.put("path", path == null ? "(top)" : path);
        out.put("credentials", credentials.toString());
        out.put("data-dir", dataDir.toString());
        out.put("database", database == null ? "embedded under " + dataDir.resolve("postgres") : JdbcUrls.masked(database));
        out.put("database-password", databasePassword == null ? "(none)" : "****");
        out.put("port", String.valueOf(port));
        out.put("poll-interval", pollInterval.toSeconds() + "s");
        out.put("workers", String.valueOf(workers));
        out.put("maven-repository", mavenRepository.toString());
        out.put("admin-password", adminPassword == null ? "(generated on first start)" : "****");
        out.put("webhook-secret", webhookSecret == null ? "(none: webhooks are off)" : webhookSecret.toString());
        return out;
    }
}
