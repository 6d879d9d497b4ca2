package io.tributary.server;

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
 */
public record ServiceConfig(String repo, String branch, String path, Credentials credentials, Path dataDir,
        String database, String databaseUser, String databasePassword, int port, Duration pollInterval, int workers,
        Path mavenRepository, String adminPassword) {

    /** What is printed once at start-up: every setting, secrets masked. */
    public Map<String, String> describe() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("repo", repo);
        out.put("branch", branch == null ? "(remote default)" : branch);
        out.put("path", path == null ? "(top)" : path);
        out.put("credentials", credentials.toString());
        out.put("data-dir", dataDir.toString());
        out.put("database", database == null ? "embedded under " + dataDir.resolve("postgres") : database);
        out.put("database-password", databasePassword == null ? "(none)" : "****");
        out.put("port", String.valueOf(port));
        out.put("poll-interval", pollInterval.toSeconds() + "s");
        out.put("workers", String.valueOf(workers));
        out.put("maven-repository", mavenRepository.toString());
        out.put("admin-password", adminPassword == null ? "(generated on first start)" : "****");
        return out;
    }
}
