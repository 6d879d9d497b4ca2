package io.tributary.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeftoversTest {
    @TempDir
    Path dir;

    @Test
    void postmasterPidIsTheFirstLineOfThePidFile() throws Exception {
        Path pgData = Files.createDirectories(dir.resolve("postgres"));
        assertThat(Leftovers.postmasterPid(pgData)).isEmpty();

        Files.writeString(pgData.resolve("postmaster.pid"), "4242\n/data/postgres\n1700000000\n5432\n");
        assertThat(Leftovers.postmasterPid(pgData)).isEqualTo(OptionalLong.of(4242));

        Files.writeString(pgData.resolve("postmaster.pid"), "");
        assertThat(Leftovers.postmasterPid(pgData)).isEmpty();
        Files.writeString(pgData.resolve("postmaster.pid"), "-1\n");
        assertThat(Leftovers.postmasterPid(pgData)).isEmpty();
    }

    @Test
    void anEmptyOrInitializedDataFolderStays() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Leftovers.moveAsideIfIncomplete(empty, 1);
        assertThat(empty).isDirectory();

        Path initialized = Files.createDirectories(dir.resolve("postgres"));
        Files.createDirectories(initialized.resolve("global"));
        Files.writeString(initialized.resolve("global/pg_control"), "x");
        Leftovers.moveAsideIfIncomplete(initialized, 1);
        assertThat(initialized.resolve("global/pg_control")).exists();
    }

    @Test
    void aFolderWithoutControlFileIsMovedAside() throws Exception {
        Path pgData = Files.createDirectories(dir.resolve("postgres"));
        Files.writeString(pgData.resolve("PG_VERSION"), "17\n");

        Leftovers.moveAsideIfIncomplete(pgData, 1234);

        assertThat(pgData).doesNotExist();
        assertThat(dir.resolve("postgres.incomplete-1234/PG_VERSION")).exists();
    }

    @Test
    void noProcessWorksInAFolderNobodyUses() {
        assertThat(Leftovers.processesIn(dir)).isEmpty();
    }
}
