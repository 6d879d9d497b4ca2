package io.tributary.server;

import io.tributary.build.ProjectBuilds;
import io.tributary.model.TimeSpan;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * How Project builds run, from the environment: {@code TRIBUTARY_MAX_BUILDS} (builds at once, default 2),
 * {@code TRIBUTARY_BUILD_TIMEOUT} (default 30m; a Project's {@code spec.build.timeout} wins),
 * {@code TRIBUTARY_BUILD_RETENTION} (how long an artifact no app uses is kept, default 1d) and
 * {@code TRIBUTARY_MAVEN_ARGS} (added to every Maven command, e.g. {@code -o} for offline builds).
 */
final class BuildOptions {
    private BuildOptions() {}

    static ProjectBuilds.Options fromEnvironment(Duration pollInterval) {
        return from(System::getenv, pollInterval);
    }

    static ProjectBuilds.Options from(Function<String, String> env, Duration pollInterval) {
        ProjectBuilds.Options d = ProjectBuilds.Options.defaults(pollInterval);
        String max = env.apply("TRIBUTARY_MAX_BUILDS");
        String timeout = env.apply("TRIBUTARY_BUILD_TIMEOUT");
        String retention = env.apply("TRIBUTARY_BUILD_RETENTION");
        String args = env.apply("TRIBUTARY_MAVEN_ARGS");
        return new ProjectBuilds.Options(pollInterval,
                blank(max) ? d.maxConcurrentBuilds() : Integer.parseInt(max.strip()),
                blank(timeout) ? d.defaultTimeout() : TimeSpan.parse(timeout.strip()).duration(),
                blank(retention) ? d.retentionGrace() : TimeSpan.parse(retention.strip()).duration(),
                blank(args) ? d.mavenArgs() : Arrays.stream(args.strip().split("\\s+")).toList());
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    static List<String> describe(ProjectBuilds.Options o) {
        return List.of("max-builds=" + o.maxConcurrentBuilds(), "build-timeout=" + o.defaultTimeout(),
                "maven-args=" + o.mavenArgs());
    }
}
