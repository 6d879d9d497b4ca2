package io.tributary.apply;

import io.tributary.build.JobArtifacts;
import io.tributary.build.MavenArtifacts;
import io.tributary.build.SqlJobJar;
import io.tributary.flink.JobId;
import io.tributary.flink.JobSubmission;
import io.tributary.model.Application;
import io.tributary.model.DesiredState;
import io.tributary.secrets.SecretResolver;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns an application into a {@link JobSubmission}: its jar (the SQL runner with the app's
 * dependencies, or the jar from Maven or a URL), the arguments, and the job's Flink options
 * from the spec. Secret variables, left as {@code ${name}} by the loader, are read here, at the
 * last moment, and go only to Flink.
 */
public final class JobLauncher {
    private final MavenRepositories maven;
    private final Path artifactCache;
    private final HttpClient http;
    private final Path sqlRunner;
    private final Path jobJarDir;
    private final SecretResolver secrets;

    /**
     * @param artifactCache where jars downloaded by URL are kept, by content
     */
    public JobLauncher(MavenRepositories maven, Path artifactCache, HttpClient http, Path sqlRunner, Path jobJarDir,
            SecretResolver secrets) {
        this.maven = maven;
        this.artifactCache = artifactCache;
        this.http = http;
        this.sqlRunner = sqlRunner;
        this.jobJarDir = jobJarDir;
        this.secrets = secrets;
    }

    /**
     * A job ready to submit but for its JobID and restore point: the jar resolved or built, the
     * arguments and options set. An upgrade prepares it before stopping the old job, so none of
     * this work falls into the downtime.
     */
    public record Prepared(Path jar, String entryClass, List<String> args, int parallelism,
            Map<String, String> flinkConfiguration) {
        public JobSubmission submission(JobId jobId, Optional<String> restoreFrom, boolean allowNonRestoredState) {
            return new JobSubmission(jobId, jar, entryClass, args, parallelism, restoreFrom.orElse(null),
                    allowNonRestoredState, flinkConfiguration);
        }
    }

    public Prepared prepare(Application app, DesiredState desired) {
        Application.Spec spec = app.spec();
        Application.Job job = spec.job();
        MavenArtifacts artifacts = maven.of(desired);
        Path jar;
        String entryClass;
        List<String> args = new ArrayList<>();
        if (job.type() == Application.JobType.SQL) {
            jar = SqlJobJar.build(sqlRunner, artifacts.resolve(job.dependencies(), true), jobJarDir);
            entryClass = null;
            String script = withSecrets(job.sql().text(), app, desired);
            args.add("--script-base64");
            args.add(Base64.getEncoder().encodeToString(script.getBytes(StandardCharsets.UTF_8)));
            args.add("--name");
            args.add(app.id().qualifiedName());
        } else {
            jar = new JobArtifacts(artifacts, artifactCache, http).jar(job.jar());
            entryClass = job.jar().entryClass();
            for (String arg : job.jar().args()) {
                args.add(withSecrets(arg, app, desired));
            }
        }
        return new Prepared(jar, entryClass, List.copyOf(args), spec.parallelism(), jobConfiguration(spec));
    }

    /** The spec's checkpoint settings as Flink options, under the app's own flinkConfiguration. */
    static Map<String, String> jobConfiguration(Application.Spec spec) {
        Map<String, String> config = new LinkedHashMap<>();
        // restarts and last-state upgrades start from the latest checkpoint, so it must outlive a cancel
        config.put("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        Application.Checkpoints checkpoints = spec.checkpoints();
        if (checkpoints != null) {
            if (checkpoints.interval() != null) {
                config.put("execution.checkpointing.interval", checkpoints.interval().text());
            }
            if (checkpoints.mode() != null) {
                config.put("execution.checkpointing.mode", checkpoints.mode().name());
            }
            if (checkpoints.timeout() != null) {
                config.put("execution.checkpointing.timeout", checkpoints.timeout().text());
            }
            if (checkpoints.directory() != null) {
                config.put("execution.checkpointing.dir", checkpoints.directory());
                config.put("state.checkpoints.dir", checkpoints.directory());
            }
        }
        if (spec.savepoints() != null && spec.savepoints().directory() != null) {
            config.put("execution.checkpointing.savepoint-dir", spec.savepoints().directory());
            config.put("state.savepoints.dir", spec.savepoints().directory());
        }
        config.putAll(spec.flinkConfiguration());
        return config;
    }

    /** Replaces {@code ${name}} of the app's visible secret Variables with their values. */
    private String withSecrets(String text, Application app, DesiredState desired) {
        return secrets.substitute(text, app.metadata().team(), desired, "application " + app.id().qualifiedName());
    }
}
