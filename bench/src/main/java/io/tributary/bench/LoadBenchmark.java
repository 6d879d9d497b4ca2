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
 * <p>Run: {@code bench/run.sh load}
 */
public final class LoadBenchmark {
    private static final double TARGET_MS_PER_1000_APPS = 2000;

    public static void main(String[] args) throws IOException {
        int[] sizes = args.length > 0 ? Stream.of(args).mapToInt(Integer::parseInt).toArray() : new int[] {100, 1000, 10000};
        ConfigLoader loader = new ConfigLoader();
        System.out.printf("%8s %10s %12s %14s %8s%n", "apps", "documents", "median ms", "ms per 1k apps", "ratio");
        for (int apps : sizes) {
            Path repo = Files.createTempDirectory("tributary-bench-" + apps);
            try {
                RepoGenerator.write(repo, apps);
                int runs = apps >= 10000 ? 5 : 15;
                for (int i = 0; i < 3; i++) {
                    check(loader.load(repo));
                }
                List<Double> millis = new ArrayList<>();
                int documents = 0;
                for (int i = 0; i < runs; i++) {
                    long start = System.nanoTime();
                    ConfigLoader.Result result = loader.load(repo);
                    millis.add((System.nanoTime() - start) / 1e6);
                    check(result);
                    documents = result.state().size();
                }
                millis.sort(Comparator.naturalOrder());
                double median = millis.get(millis.size() / 2);
                double per1000 = median * 1000 / apps;
                System.out.printf("%8d %10d %12.1f %14.1f %7.2fx%n", apps, documents, median, per1000,
                        per1000 / TARGET_MS_PER_1000_APPS);
            } finally {
                deleteTree(repo);
            }
        }
        System.out.println("ratio = time per 1,000 apps / target of 2,000 ms (below 1.00x meets the target)");
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
