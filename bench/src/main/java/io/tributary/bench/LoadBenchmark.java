package io.tributary.bench;

import io.tributary.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Load+validate of generated config repositories of 100, 1,000 and 10,000 applications (the SQL
 * compile excluded), against the target of 2 s for 1,000 apps. Prints the median of several runs
 * after warm-up, the time per app (to show growth is linear) and the ratio to the target.
 *
 * <p>Each timed full load uses a new {@link ConfigLoader}, as the first load after start does. A
 * service keeps its loader, which keeps the parse of unchanged files; the last column times that
 * case: a reload after one team's {@code apps.yaml} (100 apps) changed, as a typical commit does.
 *
 * <p>Run: {@code bench/run.sh load}
 */
public final class LoadBenchmark {
    private static final double TARGET_MS_PER_1000_APPS = 2000;

    public static void main(String[] args) throws IOException {
        int[] sizes = args.length > 0 ? Stream.of(args).mapToInt(Integer::parseInt).toArray() : new int[] {100, 1000, 10000};
        System.out.printf("%8s %10s %12s %14s %8s %16s%n", "apps", "documents", "median ms", "ms per 1k apps",
                "ratio", "reload 1 file ms");
        for (int apps : sizes) {
            Path repo = Files.createTempDirectory("tributary-bench-" + apps);
            try {
                RepoGenerator.write(repo, apps);
                int runs = apps >= 10000 ? 5 : 15;
                for (int i = 0; i < 3; i++) {
                    check(new ConfigLoader().load(repo));
                }
                List<Double> full = new ArrayList<>();
                int documents = 0;
                for (int i = 0; i < runs; i++) {
                    long start = System.nanoTime();
                    ConfigLoader.Result result = new ConfigLoader().load(repo);
                    full.add((System.nanoTime() - start) / 1e6);
                    check(result);
                    documents = result.state().size();
                }
                ConfigLoader kept = new ConfigLoader();
                check(kept.load(repo));
                Path changed = repo.resolve("teams/team-0/apps.yaml");
                String text = Files.readString(changed);
                List<Double> reload = new ArrayList<>();
                for (int i = 0; i < runs; i++) {
                    Files.writeString(changed, text + "# commit " + i + "\n");
                    long start = System.nanoTime();
                    ConfigLoader.Result result = kept.load(repo);
                    reload.add((System.nanoTime() - start) / 1e6);
                    check(result);
                }
                double median = median(full);
                double per1000 = median * 1000 / apps;
                System.out.printf("%8d %10d %12.1f %14.1f %7.2fx %16.1f%n", apps, documents, median, per1000,
                        per1000 / TARGET_MS_PER_1000_APPS, median(reload));
            } finally {
                deleteTree(repo);
            }
        }
        System.out.println("ratio = time per 1,000 apps of a full load / target of 2,000 ms (below 1.00x meets the target)");
    }

    private static double median(List<Double> millis) {
        List<Double> sorted = millis.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static void check(ConfigLoader.Result result) {
        if (!result.valid()) {
            throw new IllegalStateException("generated repository is invalid: " + result.errors().get(0));
        }
    }

    static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
