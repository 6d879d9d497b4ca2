package io.tributary.store;

import java.nio.file.Path;
import java.time.Clock;

/**
 * A stand-in for the service, run as a child JVM by {@link EmbeddedDatabaseIT} so that it can be killed
 * with SIGKILL: opens the embedded database on a data folder, records an app and waits to be killed.
 * Prints {@code READY <app id> <postmaster pid>} once the database is up.
 */
public final class EmbeddedServiceMain {
    private EmbeddedServiceMain() {}

    public static void main(String[] args) throws InterruptedException {
        Database db = Database.embedded(Path.of(args[0]));
        long id = new Store(db, Clock.systemUTC()).appId(args[1]);
        System.out.println("READY " + id + " " + db.embeddedServer().pid());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
