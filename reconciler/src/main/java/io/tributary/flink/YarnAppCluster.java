package io.tributary.flink;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The YARN application of one {@code yarn-application} or {@code yarn-per-job} app, named after the app
 * ({@code yarn.application.name}), so a restarted service finds it by name. The job's jar is shipped by
 * YARN from the service's disk. YARN's own report tells when the application was killed or failed
 * from outside, with its diagnostics.
 */
public final class YarnAppCluster implements AppCluster {
    private static final Logger LOG = LoggerFactory.getLogger(YarnAppCluster.class);

    private final YarnClusters yarn;
    private final FlinkHome home;
    private final String hadoopConfDir;
    private final Map<String, String> options;
    private final boolean perJob;
    private volatile String applicationId;
    private volatile URI restUrl;

    private final java.time.Duration deployTimeout;

    /**
     * @param deployTimeout how long flink-yarn may wait for the application to be RUNNING in YARN (it
     *     would wait for ever on an application YARN never starts); then the deploy is given up and the
     *     application killed
     */
    public YarnAppCluster(YarnClusters yarn, FlinkHome home, String hadoopConfDir, Map<String, String> options,
            boolean perJob, java.time.Duration deployTimeout) {
        this.deployTimeout = deployTimeout;
        this.yarn = yarn;
        this.home = home;
        this.hadoopConfDir = hadoopConfDir;
        this.options = Map.copyOf(options);
        this.perJob = perJob;
    }

    private String name() {
        return options.get("yarn.application.name");
    }

    public Optional<String> applicationId() {
        return Optional.ofNullable(current());
    }

    @Override
    public String describe() {
        return "YARN application " + name() + (applicationId == null ? "" : " (" + applicationId + ")");
    }

    /** The running application of this name, found again after a restart. */
    private String current() {
        if (applicationId == null) {
            List<String> running = yarn.runningByName(home, hadoopConfDir, name());
            if (!running.isEmpty()) {
                applicationId = running.get(0);
            }
        }
        return applicationId;
    }

    @Override
    public boolean exists() {
        String id = current();
        if (id == null) {
            return false;
        }
        return !yarn.report(home, hadoopConfDir, id).ended();
    }

    @Override
    public void deploy(JobSubmission submission) {
        Map<String, String> job = new LinkedHashMap<>(options);
        job.putAll(submission.flinkConfiguration());
        job.put("$internal.pipeline.job-id", submission.jobId().hex());
        job.put("parallelism.default", Integer.toString(submission.parallelism()));
        if (submission.restoreFrom() != null) {
            job.put("execution.savepoint.path", submission.restoreFrom());
            job.put("execution.savepoint.ignore-unclaimed-state", Boolean.toString(submission.allowNonRestoredState()));
        }
        if (!perJob) {
            job.put("pipeline.jars", submission.jar().toAbsolutePath().toString());
        }
        java.util.concurrent.ExecutorService deployer = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "tributary-yarn-deploy");
            t.setDaemon(true);
            return t;
        });
        java.util.concurrent.Future<YarnClusters.Deployed> deploying = deployer.submit(() -> perJob
                ? yarn.deployPerJob(home, hadoopConfDir, job, submission.jar().toString(), submission.args(),
                        submission.entryClass(), submission.parallelism())
                : yarn.deployApplication(home, hadoopConfDir, job, submission.args(), submission.entryClass()));
        YarnClusters.Deployed deployed;
        try {
            deployed = deploying.get(deployTimeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            deploying.cancel(true);
            throw new FlinkException.Rejected(504, describe() + " was not RUNNING in YARN within " + deployTimeout
                    + ": " + diagnostics());
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            deploying.cancel(true);
            throw new FlinkException.Unreachable("interrupted while deploying " + describe(), e);
        } finally {
            deployer.shutdown();
        }
        applicationId = deployed.applicationId();
        restUrl = deployed.restUrl();
        LOG.info("yarn.application={} name={} job={} rest={} mode={} deployed", applicationId, name(),
                submission.jobId(), restUrl, perJob ? "per-job" : "application");
    }

    @Override
    public Optional<URI> restUrl() {
        String id = current();
        if (id == null) {
            return Optional.empty();
        }
        if (restUrl == null) {
            restUrl = yarn.restAddress(home, hadoopConfDir, options, id).orElse(null);
        }
        return Optional.ofNullable(restUrl);
    }

    @Override
    public Optional<String> endedOutside() {
        String id = applicationId;
        if (id == null) {
            return Optional.empty();
        }
        YarnClusters.Report report = yarn.report(home, hadoopConfDir, id);
        if (!report.endedBadly()) {
            return Optional.empty();
        }
        return Optional.of("YARN application " + id + " " + report.state() + " (" + report.finalStatus() + ")"
                + (report.diagnostics().isBlank() ? "" : ": " + report.diagnostics()));
    }

    @Override
    public String diagnostics() {
        String id = current();
        if (id == null) {
            return "No YARN application named " + name() + " was found.";
        }
        try {
            YarnClusters.Report report = yarn.report(home, hadoopConfDir, id);
            return "YARN application " + id + ": " + report.state() + " " + report.finalStatus() + "\n"
                    + report.diagnostics();
        } catch (RuntimeException e) {
            return "YARN application " + id + ": no report (" + e.getMessage() + ")";
        }
    }

    /** Kills the application (stopping an app-mode app ends it); nothing when it ended already. */
    @Override
    public void delete() {
        String id = current();
        if (id != null) {
            yarn.kill(home, hadoopConfDir, id);
            LOG.info("yarn.application={} name={} ended", id, name());
        }
        restUrl = null;
    }
}
