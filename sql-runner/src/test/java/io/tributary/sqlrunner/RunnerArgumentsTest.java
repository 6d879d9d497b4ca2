package io.tributary.sqlrunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunnerArgumentsTest {

    private static final String SCRIPT = "INSERT INTO t SELECT 'ünïcödé';";

    @Test
    void readsBase64Script() {
        String encoded = Base64.getEncoder().encodeToString(SCRIPT.getBytes(StandardCharsets.UTF_8));

        RunnerArguments arguments = RunnerArguments.parse(new String[] {"--script-base64", encoded, "--name", "orders"});

        assertThat(arguments.script()).isEqualTo(SCRIPT);
        assertThat(arguments.jobName()).contains("orders");
    }

    @Test
    void readsUrlSafeBase64AndEqualsForm() {
        String script = "INSERT INTO t SELECT '>>>???';";
        String encoded = Base64.getUrlEncoder().encodeToString(script.getBytes(StandardCharsets.UTF_8));

        assertThat(RunnerArguments.parse(new String[] {"--script-base64=" + encoded}).script()).isEqualTo(script);
    }

    @Test
    void readsScriptFileWithoutByteOrderMark(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("job.sql");
        Files.writeString(file, "\uFEFF" + SCRIPT, StandardCharsets.UTF_8);

        RunnerArguments arguments = RunnerArguments.parse(new String[] {"--script-file", file.toString()});

        assertThat(arguments.script()).isEqualTo(SCRIPT);
        assertThat(arguments.jobName()).isEmpty();
    }

    @Test
    void refusesWrongArgumentsWithUsage() {
        assertThatThrownBy(() -> RunnerArguments.parse(new String[0]))
                .hasMessageContaining("exactly one of --script-base64 and --script-file")
                .hasMessageContaining("usage: SqlRunner");
        assertThatThrownBy(() -> RunnerArguments.parse(new String[] {"--script-base64", "eA==", "--script-file", "x"}))
                .hasMessageContaining("exactly one of");
        assertThatThrownBy(() -> RunnerArguments.parse(new String[] {"--script", "x"}))
                .hasMessageContaining("unknown argument --script");
        assertThatThrownBy(() -> RunnerArguments.parse(new String[] {"--name"}))
                .hasMessageContaining("--name needs a value");
        assertThatThrownBy(() -> RunnerArguments.parse(new String[] {"--script-base64", "not base64!"}))
                .hasMessageContaining("is not base64");
        assertThatThrownBy(() -> RunnerArguments.parse(new String[] {"--script-base64", "/w=="}))
                .hasMessageContaining("does not decode to UTF-8");
        assertThatThrownBy(() -> RunnerArguments.parse(new String[] {"--script-file", "/nonexistent/job.sql"}))
                .hasMessageContaining("cannot read the script file");
    }
}
