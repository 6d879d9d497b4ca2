package io.tributary.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A build's child process: its lines, its exit, its time limit and its cancellation, with a shell for Maven. */
class MavenRunTest {
    @TempDir
    Path temp;

    @Test
    void linesAndTheExitCodeComeBack() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        MavenRun.Result ok = new MavenRun(List.of("sh", "-c", "echo one; echo two >&2; echo \"$GREETING\""), temp,
                Map.of("GREETING", "three")).run(Duration.ofMinutes(1), lines::add);
        assertThat(ok).isEqualTo(new MavenRun.Result(MavenRun.Outcome.SUCCEEDED, 0));
        assertThat(lines).containsExactly("one", "two", "three");
        MavenRun.Result failed = new MavenRun(List.of("sh", "-c", "exit 3"), temp, Map.of())
                .run(Duration.ofMinutes(1), line -> {});
        assertThat(failed).isEqualTo(new MavenRun.Result(MavenRun.Outcome.FAILED, 3));
    }

    @Test
    void aRunPastItsTimeLimitIsStopped() throws Exception {
        MavenRun.Result result = new MavenRun(List.of("sh", "-c", "sleep 60"), temp, Map.of())
                .run(Duration.ofMillis(300), line -> {});
        assertThat(result.outcome()).isEqualTo(MavenRun.Outcome.TIMED_OUT);
    }

    @Test
    void aCanceledRunEndsWithItsChildren() throws Exception {
        MavenRun run = new MavenRun(List.of("sh", "-c", "echo started; sleep 60 & wait"), temp, Map.of());
        CountDownLatch started = new CountDownLatch(1);
        Thread canceler = new Thread(() -> {
            try {
                started.await(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            run.cancel();
        });
        canceler.start();
        MavenRun.Result result = run.run(Duration.ofMinutes(1), line -> started.countDown());
        canceler.join();
        assertThat(result.outcome()).isEqualTo(MavenRun.Outcome.CANCELED);
    }
}
