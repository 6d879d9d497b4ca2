package io.tributary.flink;

import io.tributary.build.Digests;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster of one {@code kubernetes-application} app. The job's jar reaches the JobManager without
 * an image build: {@code pipeline.jars} is the service's content-addressed artifact URL, which Flink
 * 1.19+ fetches at start ({@code artifactUrl}); a jar already in the image can be named instead with
 * {@code pipeline.jars: local:///...} in the app's flinkConfiguration.
 */
public final class KubernetesAppCluster implements AppCluster {
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesAppCluster.class);

    private final KubernetesClusters kubernetes;
    private final FlinkHome home;
    private final Map<String, String> options;
    private final Function<String, URI> artifactUrl;
    private final Optional<Ingress> ingress;
    private final Consumer<URI> webUiChanged;
    private volatile URI restUrl;
    private volatile URI webUi;

    /** Settings' ingress, when the app asks for one. */
    public record Ingress(String domain, String className, boolean tls) {}

    /** A cluster with no web UI recorded before, whose Ingress URL nobody records. */
    public KubernetesAppCluster(KubernetesClusters kubernetes, FlinkHome home, Map<String, String> options,
            Function<String, URI> artifactUrl, Optional<Ingress> ingress) {
        this(kubernetes, home, options, artifactUrl, ingress, Optional.empty(), url -> {});
    }

    /**
     * @param options the cluster's options ({@link KubernetesClusters#applicationOptions}) with the app's
     *     Flink configuration over them
     * @param artifactUrl the URL the service serves a jar at, by its sha256
     * @param recordedWebUi the Ingress URL recorded when the cluster was deployed (by an earlier run of the service)
     * @param webUiChanged told the Ingress URL when one is created, and null when the cluster is removed
     */
    public KubernetesAppCluster(KubernetesClusters kubernetes, FlinkHome home, Map<String, String> options,
            Function<String, URI> artifactUrl, Optional<Ingress> ingress, Optional<URI> recordedWebUi,
            Consumer<URI> webUiChanged) {
        this.kubernetes = kubernetes;
        this.home = home;
        this.options = Map.copyOf(options);
        this.artifactUrl = artifactUrl;
        this.ingress = ingress;
        this.webUi = recordedWebUi.orElse(null);
        this.webUiChanged = webUiChanged;
    }

    public String clusterId() {
        return options.get("kubernetes.cluster-id");
    }

    @Override
    public String describe() {
        return "Kubernetes cluster " + clusterId() + " in namespace " + options.get("kubernetes.namespace");
    }

    @Override
    public boolean exists() {
        return kubernetes.exists(home, options);
    }

    @Override
    public void deploy(JobSubmission submission) {
        Map<String, String> job = new LinkedHashMap<>(options);
        job.putAll(submission.flinkConfiguration());
        if (!job.containsKey("pipeline.jars")) {
            if (home.major() == 1 && minor(home.version()) < 19) {
                throw new FlinkException.Rejected(400, "Flink " + home.version() + " cannot fetch the job jar over"
                        + " HTTP (1.19+ can); name a jar in the image with pipeline.jars: local:///... in the app's"
                        + " flinkConfiguration");
            }
            job.put("pipeline.jars", artifactUrl.apply(Digests.sha256Remembered(submission.jar())).toString());
        }
        job.put("$internal.pipeline.job-id", submission.jobId().hex());
        job.put("parallelism.default", Integer.toString(submission.parallelism()));
        if (submission.restoreFrom() != null) {
            job.put("execution.savepoint.path", submission.restoreFrom());
            job.put("execution.savepoint.ignore-unclaimed-state", Boolean.toString(submission.allowNonRestoredState()));
        }
        restUrl = kubernetes.deployApplication(home, job, submission.args(), submission.entryClass());
        LOG.info("cluster={} job={} jar={} rest={} deployed", clusterId(), submission.jobId(), job.get("pipeline.jars"),
                restUrl);
        ingress.ifPresent(i -> {
            webUi = kubernetes.createIngress(home, options, i.domain(), i.className(), i.tls());
            webUiChanged.accept(webUi);
        });
    }

    @Override
    public Optional<URI> restUrl() {
        if (restUrl == null) {
            restUrl = kubernetes.restAddress(home, options).orElse(null);
        }
        return Optional.ofNullable(restUrl);
    }

    /** The Ingress URL when there is one, else the REST address. */
    public Optional<URI> webUi() {
        return Optional.ofNullable(webUi).or(this::restUrl);
    }

    @Override
    public String diagnostics() {
        return kubernetes.diagnostics(home, options);
    }

    @Override
    public void delete() {
        LOG.info("cluster={} deleted objects={}", clusterId(), kubernetes.delete(home, options));
        restUrl = null;
        webUi = null;
        webUiChanged.accept(null);
    }

    private static int minor(String version) {
        String[] parts = version.split("\\.");
        return parts.length > 1 ? Integer.parseInt(parts[1].replaceAll("\\D.*", "")) : 0;
    }
}
