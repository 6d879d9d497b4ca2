package io.tributary.bench;

import io.tributary.config.ConfigLoader;
import io.tributary.model.Application;
import io.tributary.model.Cluster;
import io.tributary.model.DesiredState;
import io.tributary.model.JobState;
import io.tributary.plan.AppObservation;
import io.tributary.plan.AppObservation.AppliedSpec;
import io.tributary.plan.AppObservation.CurrentJob;
import io.tributary.plan.ClusterObservation;
import io.tributary.plan.Observed;
import io.tributary.plan.Plan;
import io.tributary.plan.Planner;
import io.tributary.plan.SpecHash;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code plan} of 100, 1,000 and 10,000 applications that all run their current spec, so there is
 * nothing to do: the planner's cost when Git has not changed, against the target of 100 ms for
 * 1,000 apps (after load). Builds the observation once, then times only {@link Planner#plan}.
 *
 * <p>Run: {@code bench/run.sh plan}
 */
public final class PlanBenchmark {
    private static final double TARGET_MS_PER_1000_APPS = 100;

    public static void main(String[] args) throws IOException {
        int[] sizes = args.length > 0 ? Stream.of(args).mapToInt(Integer::parseInt).toArray() : new int[] {100, 1000, 10000};
        ConfigLoader loader = new ConfigLoader();
        System.out.printf("%8s %12s %14s %8s%n", "apps", "median ms", "ms per 1k apps", "ratio");
        for (int apps : sizes) {
            Path repo = Files.createTempDirectory("tributary-plan-bench-" + apps);
            try {
                RepoGenerator.write(repo, apps);
                ConfigLoader.Result loaded = loader.load(repo);
                if (!loaded.valid()) {
                    throw new IllegalStateException("generated repository is invalid: " + loaded.errors().get(0));
                }
                DesiredState desired = loaded.state();
                Observed observed = everythingRunning(desired);
                Instant now = Instant.now();
                // warm up on about 30,000 app plans whatever the size, so small sizes are measured compiled too
                for (int i = 0; i < Math.max(3, 30_000 / apps); i++) {
                    check(Planner.plan(desired, observed, now));
                }
                List<Double> millis = new ArrayList<>();
                for (int i = 0; i < (apps >= 10000 ? 9 : 25); i++) {
                    long start = System.nanoTime();
                    Plan plan = Planner.plan(desired, observed, now);
                    millis.add((System.nanoTime() - start) / 1e6);
                    check(plan);
                }
                millis.sort(Comparator.naturalOrder());
                double median = millis.get(millis.size() / 2);
                double per1000 = median * 1000 / apps;
                System.out.printf("%8d %12.1f %14.1f %7.2fx%n", apps, median, per1000, per1000 / TARGET_MS_PER_1000_APPS);
            } finally {
                LoadBenchmark.deleteTree(repo);
            }
        }
        System.out.println("ratio = time per 1,000 apps / target of 100 ms (below 1.00x meets the target)");
    }

    /** Every app runs the spec Git declares; every managed cluster runs its spec. */
    private static Observed everythingRunning(DesiredState desired) {
        Instant started = Instant.now().minusSeconds(60);
        Map<String, AppObservation> apps = new HashMap<>();
        int n = 0;
        for (Application app : desired.applications()) {
            String key = app.id().qualifiedName();
            String jobId = String.format("%032x", ++n);
            apps.put(key, new AppObservation(key,
                    Optional.of(new CurrentJob(jobId, Optional.of(JobState.RUNNING), started, Optional.empty())),
                    Optional.of(new AppliedSpec(SpecHash.of(app, desired), "main@sha1:" + "0".repeat(40),
                            app.spec().upgradeMode(), app.spec().prune())),
                    true, List.of(), List.of(), Optional.empty(), false, Optional.empty(), false));
        }
        Map<String, ClusterObservation> clusters = new HashMap<>();
        for (Cluster cluster : desired.all(Cluster.class)) {
            String name = cluster.id().qualifiedName();
            clusters.put(name, new ClusterObservation(name, cluster.isLocal(), true, true,
                    Optional.of(SpecHash.of(cluster, desired))));
        }
        return new Observed(apps, clusters);
    }

    private static void check(Plan plan) {
        if (!plan.actions().isEmpty() || !plan.clusters().isEmpty()) {
            throw new IllegalStateException("expected nothing to do, got " + plan.actions().size() + " actions, e.g. "
                    + plan.actions().get(0));
        }
    }
}
