package io.tributary.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded server's life: restarts on the same data, a service killed with SIGKILL (its postgres
 * left running), stale pid files, two services on one folder, and an external connection by URL to
 * another embedded server. Each test runs servers of its own, besides the shared one.
 */
class EmbeddedDatabaseIT {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabaseIT.class);
    private static final String JOB = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path dataDir;

    @Test
    void connectsByUrlToASecondEmbeddedServer() {
        Database shared = TestDatabase.shared();
        try (Database second = Database.embedded(dataDir, false)) {
            assertThat(second.jdbcUrl()).isNotEqualTo(shared.jdbcUrl());
            new Store(second, Clock.systemUTC()).saveStatus(status("payments/orders", "RUNNING"));

            try (Database external = Database.connect(second.jdbcUrl() + "?password=not-shown&ssl=false",
                    EmbeddedServer.USER, "unused")) {
                assertThat(external.jdbcUrl()).as("the password is masked where the URL is shown")
                        .isEqualTo(second.jdbcUrl() + "?password=****&ssl=false");
                Store store = new Store(external, Clock.systemUTC());
                assertThat(store.status("payments/orders")).get().extracting(AppStatus::jobState).isEqualTo("RUNNING");
                store.saveStatus(status("payments/refunds", "CREATED"));
            }

            assertThat(new Store(second, Clock.systemUTC()).statuses()).extracting(AppStatus::app)
                    .containsExactly("payments/orders", "payments/refunds");
            assertThat(new Store(shared, Clock.systemUTC()).status("payments/orders")).isEmpty();
        }
    }

    @Test
    void aRestartOnTheSameDataDirKeepsTheDataAndThePort() {
        long id;
        String url;
        long started = System.nanoTime();
        try (Database db = Database.embedded(dataDir)) {
            LOG.info("embedded first start (initdb) took ms={}", millisSince(started));
            Store store = new Store(db, Clock.systemUTC());
            id = store.appId("payments/orders");
            store.recordDeployment(new Deployment(0, "payments/orders", JOB, "rev", "spec", null, null, null, null,
                    null));
            url = db.jdbcUrl();
        }
        assertThat(Leftovers.processesIn(dataDir.resolve("postgres"))).isEmpty();

        started = System.nanoTime();
        try (Database db = Database.embedded(dataDir)) {
            LOG.info("embedded restart took ms={}", millisSince(started));
            Store store = new Store(db, Clock.systemUTC());
            assertThat(store.appId("payments/orders")).isEqualTo(id);
            assertThat(store.deploymentOf(JOB)).isPresent();
            assertThat(db.jdbcUrl()).isEqualTo(url);
        }
    }

    @Test
    void closeStopsTheServer() {
        String url;
        try (Database db = Database.embedded(dataDir, false)) {
            url = db.jdbcUrl();
            assertThat(Leftovers.processesIn(dataDir.resolve("postgres"))).isNotEmpty();
        }
        assertThat(Leftovers.processesIn(dataDir.resolve("postgres"))).isEmpty();
        assertThat(dataDir.resolve("postgres/postmaster.pid")).doesNotExist();
        assertThatThrownBy(() -> connect(url)).isInstanceOf(SQLException.class);
    }

    @Test
    void aSecondServiceOnTheSameDataDirIsRefused() {
        try (Database first = Database.embedded(dataDir, false)) {
            for (int i = 0; i < 2; i++) {
                assertThatThrownBy(() -> Database.embedded(dataDir, false))
                        .isInstanceOf(Database.Unavailable.class)
                        .hasMessageContaining("is in use");
            }
            assertThat(new Store(first, Clock.systemUTC()).appId("a/one")).isPositive();
        }
    }

    @Test
    void aServiceKilledWithSigkillLeavesPostgresRunningAndTheNextStartStillWorks() throws Exception {
        Process service = startService("payments/orders");
        String[] ready = awaitReady(service);
        long id = Long.parseLong(ready[1]);
        long postmaster = Long.parseLong(ready[2]);
        // while the service lives, its database is its own: nobody stops its postgres
        assertThatThrownBy(() -> Database.embedded(dataDir)).isInstanceOf(Database.Unavailable.class)
                .hasMessageContaining("in use by another process");
        assertThat(isRunning(postmaster)).isTrue();

        service.destroyForcibly();
        assertThat(service.waitFor(30, TimeUnit.SECONDS)).isTrue();
        // what the brief is about: the service is gone, its postgres is not
        assertThat(isRunning(postmaster)).isTrue();

        long started = System.nanoTime();
        try (Database db = Database.embedded(dataDir)) {
            LOG.info("embedded start over an orphaned postgres took ms={}", millisSince(started));
            assertThat(isRunning(postmaster)).isFalse();
            assertThat(new Store(db, Clock.systemUTC()).appId("payments/orders")).isEqualTo(id);
            assertThat(db.embeddedServer().pid()).isNotEqualTo(postmaster);
        }
    }

    @Test
    void aStartAfterServiceAndPostgresWereBothKilledRecovers() throws Exception {
        Process service = startService("payments/orders");
        String[] ready = awaitReady(service);
        long id = Long.parseLong(ready[1]);
        ProcessHandle postmaster = ProcessHandle.of(Long.parseLong(ready[2])).orElseThrow();

        service.destroyForcibly();
        postmaster.destroyForcibly(); // as a crash of the machine would leave it: a stale pid file
        assertThat(service.waitFor(30, TimeUnit.SECONDS)).isTrue();
        postmaster.onExit().get(30, TimeUnit.SECONDS);
        assertThat(dataDir.resolve("postgres/postmaster.pid")).exists();

        try (Database db = Database.embedded(dataDir)) {
            assertThat(new Store(db, Clock.systemUTC()).appId("payments/orders")).isEqualTo(id);
        }
    }

    @Test
    void aStalePidFileNamingAnotherLiveProcessDoesNotStopTheStart() throws Exception {
        try (Database db = Database.embedded(dataDir, false)) {
            new Store(db, Clock.systemUTC()).appId("a/one");
        }
        Process unrelated = new ProcessBuilder("sleep", "120").start();
        try {
            // the pid of a dead postmaster, reused by another program since
            Files.writeString(dataDir.resolve("postgres/postmaster.pid"), unrelated.pid() + "\n"
                    + dataDir.resolve("postgres") + "\n1700000000\n5432\n\nlocalhost\n  1234567    32768\nready   \n",
                    StandardCharsets.US_ASCII);

            try (Database db = Database.embedded(dataDir, false)) {
                assertThat(new Store(db, Clock.systemUTC()).appById(1)).contains("a/one");
            }
            assertThat(unrelated.isAlive()).isTrue();
        } finally {
            unrelated.destroyForcibly();
        }
    }

    @Test
    void aDataFolderLeftByAnUnfinishedInitdbIsMovedAsideAndInitializedAnew() throws Exception {
        Path pgData = dataDir.resolve("postgres");
        Files.createDirectories(pgData.resolve("base"));
        Files.writeString(pgData.resolve("PG_VERSION"), "17\n");

        try (Database db = Database.embedded(dataDir, false)) {
            assertThat(new Store(db, Clock.systemUTC()).appId("a/one")).isPositive();
        }
        try (var siblings = Files.list(dataDir)) {
            assertThat(siblings.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("postgres.incomplete-"));
        }
    }

    private Process startService(String app) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                EmbeddedServiceMain.class.getName(), dataDir.toString(), app)
                .redirectErrorStream(true)
                .start();
    }

    /** The words of the child's READY line; its other output goes to this test's log. */
    private static String[] awaitReady(Process service) throws Exception {
        CompletableFuture<String[]> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(service.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("READY ")) {
                        ready.complete(line.split(" "));
                    } else {
                        LOG.info("service> {}", line);
                    }
                }
                ready.completeExceptionally(new IllegalStateException("service exited before it was ready"));
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
        }, "service-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return ready.get(120, TimeUnit.SECONDS);
        } catch (Exception e) {
            service.destroyForcibly();
            throw e;
        }
    }

    /** Alive and not a zombie: an orphan that exited stays a zombie until init reaps it. */
    private static boolean isRunning(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }

    private static Connection connect(String url) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", EmbeddedServer.USER);
        props.setProperty("connectTimeout", "2");
        return DriverManager.getConnection(url, props);
    }

    private static long millisSince(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos).toMillis();
    }

    private static AppStatus status(String app, String jobState) {
        return new AppStatus(app, 0, null, "spec", "rev", "local", "standalone-session", jobState, "Healthy",
                "Synced", null, null);
    }
}
