package io.tributary.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL database the service keeps its records in: an embedded server it runs itself (the
 * default, data under the data directory) or an external one given by JDBC URL. Opening either
 * migrates the schema to this version (Flyway, {@code classpath:db/migration}).
 */
public final class Database implements AutoCloseable {
    /**
     * The database cannot be used: the server does not answer or refuses the credentials, or the
     * embedded one's folder is in use by another service. Its message says which, with the URL masked.
     */
    public static class Unavailable extends RuntimeException {
        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
    private static final String APPLICATION_NAME = "tributary";

    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    /** Null for an external server. */
    private final EmbeddedServer embedded;

    private Database(String jdbcUrl, String user, String password, EmbeddedServer embedded, Duration connectTimeout) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.embedded = embedded;
        HikariConfig config = new HikariConfig();
        config.setPoolName("tributary-store");
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(10);
        config.setMinimumIdle(1);
        config.setInitializationFailTimeout(connectTimeout.toMillis());
        config.addDataSourceProperty("ApplicationName", APPLICATION_NAME);
        try {
            this.dataSource = new HikariDataSource(config);
        } catch (HikariPool.PoolInitializationException e) {
            throw new Unavailable("cannot connect to the database " + JdbcUrls.masked(jdbcUrl) + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
        }
        try {
            migrate();
            this.jdbi = Jdbi.create(dataSource)
                    .installPlugin(new SqlObjectPlugin())
                    .installPlugin(new PostgresPlugin());
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    /**
     * Starts a real PostgreSQL with its data in {@code dataDir/postgres} (created the first time, reopened
     * after), on a free loopback port, and waits until it takes connections. PostgreSQL processes a
     * killed service left running on that folder are stopped first.
     *
     * @throws IllegalStateException if another process uses {@code dataDir}'s database
     */
    public static Database embedded(Path dataDir) {
        return embedded(dataDir, true);
    }

    /**
     * For a command run beside the service (such as {@code tributary user set-password}): the embedded
     * database of {@code dataDir}, reached over loopback when a service runs on it (the port it holds
     * is in {@code postgres.port}), else started here until {@link #close}. While this one runs, a
     * service cannot start on the same folder.
     */
    public static Database embeddedOrRunning(Path dataDir) {
        try {
            return embedded(dataDir, true);
        } catch (EmbeddedServer.InUse inUse) {
            int port = EmbeddedServer.lastPort(dataDir).orElseThrow(() -> new IllegalStateException(
                    inUse.getMessage() + ", but " + dataDir.resolve("postgres.port") + " does not say on which port"));
            LOG.info("database=embedded in-use-by=service url={}", EmbeddedServer.jdbcUrl(port));
            return new Database(EmbeddedServer.jdbcUrl(port), EmbeddedServer.USER, null, null, Duration.ofSeconds(10));
        }
    }

    /** {@link #embedded(Path)}, with fsync and synchronous commit off if not {@code durable} (tests). */
    static Database embedded(Path dataDir, boolean durable) {
        long started = System.nanoTime();
        EmbeddedServer server = EmbeddedServer.start(dataDir, durable);
        try {
            Database db = new Database(server.jdbcUrl(), EmbeddedServer.USER, null, server, Duration.ofSeconds(10));
            LOG.info("database=embedded url={} data={} log={} pid={} startMillis={}", db.jdbcUrl, server.pgData(),
                    server.pgData().resolveSibling("postgres.log"), server.pid(),
                    Duration.ofNanos(System.nanoTime() - started).toMillis());
            return db;
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /**
     * Connects to an external PostgreSQL server ({@code jdbc:postgresql://host:port/database}), waiting
     * up to 30 s for it to take connections.
     */
    public static Database connect(String jdbcUrl, String user, String password) {
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("not a PostgreSQL JDBC URL: " + JdbcUrls.masked(jdbcUrl));
        }
        Database db = new Database(jdbcUrl, user, password, null, Duration.ofSeconds(30));
        LOG.info("database=external url={} user={}", db.jdbcUrl(), user);
        return db;
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    /** The JDBC URL of the database, without a password even if one was given in it. */
    public String jdbcUrl() {
        return JdbcUrls.masked(jdbcUrl);
    }

    /** Pooled connections. */
    public DataSource dataSource() {
        return dataSource;
    }

    /** A new connection outside the pool, for the caller to close (the leader lock's session). */
    Connection openConnection(String applicationName) throws SQLException {
        Properties props = new Properties();
        if (user != null) {
            props.setProperty("user", user);
        }
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("ApplicationName", applicationName);
        props.setProperty("connectTimeout", "10");
        props.setProperty("tcpKeepAlive", "true");
        return DriverManager.getConnection(jdbcUrl, props);
    }

    /** The embedded server, if this database runs one. */
    EmbeddedServer embeddedServer() {
        return embedded;
    }

    /** Closes the pool and stops the embedded server, if this database started one. */
    @Override
    public void close() {
        dataSource.close();
        if (embedded != null) {
            embedded.close();
            LOG.info("database=embedded stopped data={}", embedded.pgData());
        }
    }

    private void migrate() {
        MigrateResult result = Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .load()
                .migrate();
        if (result.migrationsExecuted > 0) {
            LOG.info("database migrated from={} to={} migrations={}", result.initialSchemaVersion,
                    result.targetSchemaVersion, result.migrationsExecuted);
        }
    }
}
