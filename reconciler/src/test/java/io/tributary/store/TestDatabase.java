package io.tributary.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * One embedded PostgreSQL per test JVM, started on first use and stopped when the JVM exits; each test
 * class takes a database of its own on it ({@link #fresh}), so classes never see each other's rows.
 */
public final class TestDatabase {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static Database server;
    private static final List<Database> HANDED_OUT = new ArrayList<>();

    private TestDatabase() {}

    /** The shared server's own database ({@code tributary}). */
    static synchronized Database shared() {
        if (server == null) {
            try {
                Path dir = Files.createTempDirectory("tributary-store-it-");
                // throw-away data: no fsync, as is usual for test databases
                Database started = Database.embedded(dir, false);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    started.close();
                    deleteRecursively(dir);
                }, "test-database-stop"));
                server = started;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return server;
    }

    /**
     * A new database on the shared server, migrated, reached by URL as an external one would be. The
     * databases handed out before are closed first: test classes run one after another, each using
     * the database of its own last call, so their connection pools would otherwise pile up past the
     * server's connection limit over a run.
     */
    public static synchronized Database fresh() {
        HANDED_OUT.forEach(Database::close);
        HANDED_OUT.clear();
        Database shared = shared();
        String name = "it_" + DATABASES.incrementAndGet();
        shared.jdbi().useHandle(h -> h.execute("CREATE DATABASE " + name));
        Database db = Database.connect(urlOf(shared, name), EmbeddedServer.USER, null);
        HANDED_OUT.add(db);
        return db;
    }

    /** The URL of database {@code name} on the server {@code db} runs on. */
    static String urlOf(Database db, String name) {
        String url = db.jdbcUrl();
        return url.substring(0, url.lastIndexOf('/') + 1) + name;
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // temp files; the OS cleans up
        }
    }
}
