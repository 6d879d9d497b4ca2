package io.tributary.cli;

import io.tributary.build.MavenArtifacts;
import io.tributary.config.ConfigError;
import io.tributary.config.ConfigLoader;
import io.tributary.config.SqlOrigin;
import io.tributary.flink.FlinkDistributions;
import io.tributary.flink.FlinkHome;
import io.tributary.flink.SqlCompiler;
import io.tributary.flink.SqlProblem;
import io.tributary.flink.SqlRunnerJar;
import io.tributary.model.Application;
import io.tributary.model.FlinkVersion;
import io.tributary.model.Kind;
import io.tributary.model.ResourceId;
import io.tributary.secrets.SecretResolver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Compiles every SQL application's script with the planner of its own Flink version and reports
 * what the planner rejects at the line of the config repository where it is written. Jars come
 * from the Maven repositories and mirrors of the repository's Settings.
 *
 * @throws io.tributary.secrets.SecretUnavailable when a repository's credentials cannot be read
 * @throws io.tributary.build.ArtifactResolutionFailure when a jar cannot be resolved
 */
final class SqlChecks {
    private final Path dataDir;
    private final Path mavenRepository;

    SqlChecks(Path dataDir, Path mavenRepository) {
        this.dataDir = dataDir;
        this.mavenRepository = mavenRepository;
    }

    List<ConfigError> check(ConfigLoader.Result loaded) {
        List<ConfigError> errors = new ArrayList<>();
        Map<String, FlinkHome> homes = new ConcurrentHashMap<>();
        // the config repository's own Maven settings: its repositories, mirrors and their credentials
        try (MavenArtifacts artifacts = MavenArtifacts.forSettings(loaded.state().settings(), mavenRepository,
                        SecretResolver.of(loaded.state()));
                SqlCompiler compiler = new SqlCompiler()) {
            FlinkDistributions distributions = new FlinkDistributions(dataDir, artifacts);
            Path runner = SqlRunnerJar.locate(dataDir.resolve("work"));
            for (Application app : loaded.state().applications()) {
                SqlOrigin origin = loaded.sqlOrigins().get(app.id());
                if (app.spec().job().type() != Application.JobType.SQL || origin == null) {
                    continue;
                }
                Optional<FlinkVersion> version = flinkVersion(loaded, app);
                if (version.isEmpty()) {
                    continue;
                }
                FlinkHome home = homes.computeIfAbsent(version.get().metadata().name(),
                        name -> distributions.resolve(version.get()));
                List<Path> classpath = new ArrayList<>(home.libJars());
                classpath.add(runner);
                classpath.addAll(artifacts.resolve(app.spec().job().dependencies(), true));
                for (SqlProblem problem : compiler.check(classpath, app.spec().job().sql().text())) {
                    errors.add(new ConfigError(origin.file(), origin.fileLine(problem.line()), origin.fileColumn(problem.column()),
                            "", origin.positionsInFile(problem.message()) + " (Flink " + home.version() + " planner, application "
                                    + app.id().qualifiedName() + ")"));
                }
            }
        }
        errors.sort(ConfigError.BY_LOCATION);
        return errors;
    }

    private static Optional<FlinkVersion> flinkVersion(ConfigLoader.Result loaded, Application app) {
        String name = app.spec().flinkVersion();
        if (name == null) {
            return loaded.state().defaultFlinkVersion();
        }
        return loaded.state().get(new ResourceId(Kind.FLINK_VERSION, null, name)).map(FlinkVersion.class::cast);
    }
}
