package io.tributary.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server (binaries from Maven, unpacked once under the temp folder) with its data
 * in {@code <dataDir>/postgres}, its log in {@code <dataDir>/postgres.log}, on loopback only.
 *
 * <p>{@code <dataDir>/postgres.lock} is held while it runs, so two services never share a data folder.
 * Holding it, whatever PostgreSQL processes still run in the folder were left by a service that died
 * without stopping them ({@code kill -9}): they are stopped before the server starts (see
 * {@link Leftovers}). The port of the last start ({@code <dataDir>/postgres.port}) is taken again when it
 * is free, so that tools pointed at the server keep working across restarts.
 */
final class EmbeddedServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedServer.class);

    static final String DATABASE = "tributary";
    static final String USER = "postgres";
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);
    private static final Duration LEFTOVER_GRACE = Duration.ofSeconds(30);
    /**
     * Data folders this JVM runs a server on. Checked before the lock file is opened: closing any channel
     * of a file drops every lock this process holds on it, so a refused second open must not touch it.
     */
    private static final Set<Path> RUNNING = ConcurrentHashMap.newKeySet();

    /** Another server (of this process or another) runs on the data folder. */
    static final class InUse extends Database.Unavailable {
        InUse(String message) {
            super(message, null);
        }
    }

    private final Path pgData;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final EmbeddedPostgres postgres;
    private final int port;

    private EmbeddedServer(Path pgData, FileChannel lockChannel, FileLock lock, EmbeddedPostgres postgres) {
        this.pgData = pgData;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.postgres = postgres;
        this.port = postgres.getPort();
    }

    /**
     * Starts the server on {@code dataDir}, creating the data folder and the {@value #DATABASE} database
     * the first time.
     *
     * @param durable whether commits are flushed to disk before they return (fsync, synchronous commit);
     *     only tests on throw-away data turn it off
     */
    static EmbeddedServer start(Path dataDir, boolean durable) {
        Path dir = dataDir.toAbsolutePath().normalize();
        Path pgData = dir.resolve("postgres");
        if (!RUNNING.add(dir)) {
            throw new InUse("the database in " + dir + " is in use already, by this process");
        }
        FileChannel channel = null;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(dir.resolve("postgres.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = tryLock(channel);
            if (lock == null) {
                throw new InUse("the database in " + dir + " is in use by another process: is a Tributary service"
                        + " already running on this data folder? Stop it, or give this one another --data-dir");
            }
            try {
                if (Files.isDirectory(pgData)) {
                    Leftovers.clear(pgData, LEFTOVER_GRACE);
                    Leftovers.moveAsideIfIncomplete(pgData, System.currentTimeMillis());
                }
                int port = port(dir.resolve("postgres.port"));
                Path log = dir.resolve("postgres.log");
                EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                        .setDataDirectory(pgData)
                        .setCleanDataDirectory(false)
                        // the owner stops it last, after the operations that write to it; a hook of
                        // its own would stop it in parallel with them at shutdown
                        .setRegisterShutdownHook(false)
                        .setPort(port)
                        .setPGStartupWait(STARTUP_WAIT)
                        .setOutputRedirector(Redirect.appendTo(log.toFile()))
                        .setErrorRedirector(Redirect.appendTo(log.toFile()))
                        .setServerConfig("listen_addresses", "localhost")
                        // TCP only: no socket file in /tmp to collide with another server on the same port
                        .setServerConfig("unix_socket_directories", "")
                        .setServerConfig("fsync", durable ? "on" : "off")
                        .setServerConfig("synchronous_commit", durable ? "on" : "off")
                        .setServerConfig("max_connections", "100")
                        .start();
                writePort(dir.resolve("postgres.port"), port);
                EmbeddedServer server = new EmbeddedServer(pgData, channel, lock, postgres);
                server.createDatabase();
                return server;
            } catch (RuntimeException | IOException e) {
                stopAfterFailedStart(pgData, e);
                lock.release();
                throw e;
            }
        } catch (IOException e) {
            closeQuietly(channel);
            RUNNING.remove(dir);
            throw new UncheckedIOException("cannot start the embedded database in " + dir, e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            RUNNING.remove(dir);
            throw e;
        }
    }

    int port() {
        return port;
    }

    /** The port the server on {@code dataDir} was last started on, from {@code postgres.port}. */
    static java.util.OptionalInt lastPort(Path dataDir) {
        Path file = dataDir.toAbsolutePath().normalize().resolve("postgres.port");
        try {
            return java.util.OptionalInt.of(Integer.parseInt(Files.readString(file, StandardCharsets.US_ASCII).strip()));
        } catch (IOException | NumberFormatException e) {
            return java.util.OptionalInt.empty();
        }
    }

    static String jdbcUrl(int port) {
        return "jdbc:postgresql://localhost:" + port + "/" + DATABASE;
    }

    Path pgData() {
        return pgData;
    }

    String jdbcUrl() {
        return jdbcUrl(port);
    }

    /** The postmaster's pid, as its {@code postmaster.pid} names it. */
    long pid() {
        return Leftovers.postmasterPid(pgData).orElse(-1);
    }

    @Override
    public void close() {
        try {
            postgres.close(); // pg_ctl stop -m fast
        } catch (IOException e) {
            LOG.warn("stopping postgres data={} failed", pgData, e);
        }
        if (!Leftovers.awaitExit(pgData, Duration.ofSeconds(10))) {
            Leftovers.clear(pgData, LEFTOVER_GRACE);
        }
        try {
            lock.release();
        } catch (IOException e) {
            LOG.debug("releasing lock data={} failed", pgData, e);
        }
        closeQuietly(lockChannel);
        RUNNING.remove(pgData.getParent());
    }

    private void createDatabase() {
        String url = "jdbc:postgresql://localhost:" + port + "/postgres";
        Properties props = new Properties();
        props.setProperty("user", USER);
        try (Connection c = DriverManager.getConnection(url, props); Statement s = c.createStatement()) {
            boolean exists;
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                exists = rs.next();
            }
            if (!exists) {
                s.execute("CREATE DATABASE " + DATABASE);
                LOG.info("database={} created data={}", DATABASE, pgData);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + DATABASE + " on the embedded server: " + e.getMessage(), e);
        }
    }

    /** A server that started but never answered (or a database that could not be made) is not left running. */
    private static void stopAfterFailedStart(Path pgData, Exception cause) {
        LOG.warn("embedded postgres did not start data={} error=\"{}\"", pgData, cause.getMessage());
        try {
            if (Files.isDirectory(pgData)) {
                Leftovers.clear(pgData, LEFTOVER_GRACE);
            }
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null; // held by this JVM
        }
    }

    /** The port of the last start if it is free now, else any free one. */
    private static int port(Path portFile) throws IOException {
        if (Files.isRegularFile(portFile)) {
            try {
                int last = Integer.parseInt(Files.readString(portFile, StandardCharsets.US_ASCII).strip());
                if (last > 0 && last < 65536 && isFree(last)) {
                    return last;
                }
            } catch (NumberFormatException e) {
                // rewritten below
            }
        }
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void writePort(Path portFile, int port) throws IOException {
        Files.writeString(portFile, port + "\n", StandardCharsets.US_ASCII);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing to do
            }
        }
    }
}
