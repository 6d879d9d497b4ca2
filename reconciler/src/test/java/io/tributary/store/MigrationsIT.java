package io.tributary.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/** Records written by an older service, read right after the migrations that followed. */
class MigrationsIT {

    @Test
    void anAppsOwnClusterIsRenamedAfterItsPlatform() {
        String url = databaseMigratedTo("5");
        org.jdbi.v3.core.Jdbi.create(url, EmbeddedServer.USER, "").useHandle(h -> {
            for (String[] row : new String[][] {{"a/k8s", "app:a/k8s", "kubernetes-application"},
                    {"a/yarn", "app:a/yarn", "yarn-application"}, {"a/per-job", "app:a/per-job", "yarn-per-job"},
                    {"a/session", "local", "standalone-session"}}) {
                h.execute("INSERT INTO apps (name, created_at) VALUES (?, now())", row[0]);
                h.execute("INSERT INTO app_statuses (app, job_id, cluster, deployment_mode, updated_at)"
                        + " VALUES (?, 'j', ?, ?, now())", row[0], row[1], row[2]);
            }
        });

        try (Database db = Database.connect(url, EmbeddedServer.USER, null)) {
            Store store = new Store(db, Clock.systemUTC());
            assertThat(store.status("a/k8s").orElseThrow().cluster()).isEqualTo("kubernetes-app:a/k8s");
            assertThat(store.status("a/yarn").orElseThrow().cluster()).isEqualTo("yarn-app:a/yarn");
            assertThat(store.status("a/per-job").orElseThrow().cluster()).isEqualTo("yarn-app:a/per-job");
            assertThat(store.status("a/session").orElseThrow().cluster()).isEqualTo("local");
        }
    }

    @Test
    void anOverrideFromBeforeStopOptionsStopsPlainly() {
        String url = databaseMigratedTo("7");
        org.jdbi.v3.core.Jdbi.create(url, EmbeddedServer.USER, "").useHandle(h -> h.execute(
                "INSERT INTO overrides (app, pinned_state, sync_paused, actor, reason, since)"
                        + " VALUES ('a/pinned', 'suspended', false, 'dave', 'incident 40', now())"));

        try (Database db = Database.connect(url, EmbeddedServer.USER, null)) {
            AppOverride pin = new Store(db, Clock.systemUTC()).override("a/pinned").orElseThrow();
            assertThat(pin.pinnedState()).isEqualTo("suspended");
            assertThat(pin.drain()).isFalse();
            assertThat(pin.cancelIfSavepointFails()).isFalse();
        }
    }

    /** A new database of the shared server, with the migrations up to {@code version} applied. */
    private static String databaseMigratedTo(String version) {
        Database shared = TestDatabase.shared();
        String name = "migrations_" + System.nanoTime();
        shared.jdbi().useHandle(h -> h.execute("CREATE DATABASE " + name));
        String url = TestDatabase.urlOf(shared, name);
        Flyway.configure().dataSource(url, EmbeddedServer.USER, null).locations("classpath:db/migration")
                .target(version).load().migrate();
        return url;
    }
}
