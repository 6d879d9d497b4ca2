package io.tributary.flink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PidFileTest {
    @TempDir
    Path tmp;

    @Test
    void parsesOnlyAPositivePid() {
        Map<String, OptionalLong> table = new LinkedHashMap<>();
        table.put("12345", OptionalLong.of(12345));
        table.put("  42\n", OptionalLong.of(42));
        table.put("", OptionalLong.empty());
        table.put("abc", OptionalLong.empty());
        table.put("12a", OptionalLong.empty());
        table.put("-5", OptionalLong.empty());
        table.put("0", OptionalLong.empty());
        table.put("99999999999999999999", OptionalLong.empty());
        table.put("9999999999999999999", OptionalLong.empty());
        table.put("1 2", OptionalLong.empty());
        table.put(null, OptionalLong.empty());

        table.forEach((text, expected) -> assertThat(PidFile.parse(text)).as("pid file text '%s'", text).isEqualTo(expected));
    }

    @Test
    void aLiveProcessIsOursOnlyWhenItsCommandLineNamesTheMarker() {
        Path file = tmp.resolve("jobmanager.pid");
        long self = ProcessHandle.current().pid();
        PidFile.write(file, self);
        String ownCommand = ProcessHandle.current().info().commandLine().orElseThrow();

        // this test JVM stands for a process that reused the pid of a dead JobManager
        assertThat(PidFile.liveProcess(file, tmp.resolve("clusters/local/conf").toString())).isEmpty();
        assertThat(PidFile.liveProcess(file, ownCommand.substring(0, Math.min(20, ownCommand.length()))))
                .hasValueSatisfying(p -> assertThat(p.pid()).isEqualTo(self));
    }

    @Test
    void aMissingFileOrADeadPidIsNoProcess() throws Exception {
        Path file = tmp.resolve("taskmanager-0.pid");
        assertThat(PidFile.liveProcess(file, "")).isEmpty();

        Process exited = new ProcessBuilder("true").start();
        exited.waitFor();
        PidFile.write(file, exited.pid());
        assertThat(PidFile.liveProcess(file, "")).isEmpty();

        PidFile.delete(file);
        assertThat(Files.exists(file)).isFalse();
    }
}
