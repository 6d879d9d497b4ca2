package io.tributary.sqlrunner.deploy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.client.deployment.ClusterSpecification;
import org.apache.flink.client.deployment.application.ApplicationConfiguration;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.client.program.ClusterClientProvider;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.kubernetes.KubernetesClusterClientFactory;
import org.apache.flink.kubernetes.KubernetesClusterDescriptor;
import org.apache.flink.kubernetes.configuration.KubernetesConfigOptions;
import org.apache.flink.kubernetes.kubeclient.FlinkKubeClientFactory;
import org.apache.flink.kubernetes.shaded.io.fabric8.kubernetes.api.model.Event;
import org.apache.flink.kubernetes.shaded.io.fabric8.kubernetes.api.model.HasMetadata;
import org.apache.flink.kubernetes.shaded.io.fabric8.kubernetes.api.model.OwnerReference;
import org.apache.flink.kubernetes.shaded.io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import org.apache.flink.kubernetes.shaded.io.fabric8.kubernetes.api.model.Pod;
import org.apache.flink.kubernetes.shaded.io.fabric8.kubernetes.api.model.apps.Deployment;
import org.apache.flink.kubernetes.shaded.io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import org.apache.flink.kubernetes.shaded.io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import org.apache.flink.kubernetes.shaded.io.fabric8.kubernetes.client.KubernetesClient;
import org.apache.flink.kubernetes.shaded.io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Native Kubernetes clusters through the flink-kubernetes of the cluster's Flink version: the service
 * loads this class in a class loader over that version's jars (as it does {@code SqlCheck}) and calls
 * its static methods reflectively. Only Strings, Lists and Maps cross, so neither side sees the other's
 * Flink or fabric8 classes.
 *
 * <p>Every method takes the cluster's whole Flink configuration as strings: {@code kubernetes.cluster-id},
 * {@code kubernetes.namespace}, {@code kubernetes.context}, image, service account, pod templates and
 * any option the Cluster or Application sets.
 */
public final class KubernetesDeployer {
    /** Labels flink-kubernetes puts on every object of a native cluster. */
    private static final String LABEL_APP = "app";
    private static final String LABEL_TYPE = "type";
    private static final String NATIVE_TYPE = "flink-native-kubernetes";
    private static final String INGRESS_SUFFIX = "-ui";

    private KubernetesDeployer() {}

    /** Whether the cluster id has a JobManager Deployment in its namespace. */
    public static boolean exists(Map<String, String> options) {
        Configuration config = Configuration.fromMap(options);
        try (KubernetesClient client = client(config)) {
            return client.apps().deployments().inNamespace(namespace(config)).withName(clusterId(config)).get() != null;
        }
    }

    /**
     * Deploys a session cluster; refuses a cluster id that exists (Flink's own deploy then deletes the
     * running JobManager). Returns the JobManager's REST address as flink-kubernetes reports it.
     */
    public static String deploySession(Map<String, String> options) throws Exception {
        Configuration config = Configuration.fromMap(options);
        refuseExisting(config);
        try (KubernetesClusterDescriptor descriptor = descriptor(config)) {
            ClusterClientProvider<String> provider = descriptor.deploySessionCluster(specification(config));
            return address(provider);
        }
    }

    /**
     * Deploys an application cluster running {@code entryClass} (or the jar's manifest entry when null)
     * from the jar named in {@code pipeline.jars} (a {@code local://} path in the image, or an http(s) URL
     * the JobManager fetches, Flink 1.19+) with {@code args}.
     */
    public static String deployApplication(Map<String, String> options, List<String> args, String entryClass)
            throws Exception {
        Configuration config = Configuration.fromMap(options);
        refuseExisting(config);
        ApplicationConfiguration application = new ApplicationConfiguration(args.toArray(new String[0]), entryClass);
        try (KubernetesClusterDescriptor descriptor = descriptor(config)) {
            ClusterClientProvider<String> provider = descriptor.deployApplicationCluster(specification(config),
                    application);
            return address(provider);
        }
    }

    /** The REST address of a cluster that exists, or null. */
    public static String restAddress(Map<String, String> options) {
        Configuration config = Configuration.fromMap(options);
        if (!exists(options)) {
            return null;
        }
        try (KubernetesClusterDescriptor descriptor = descriptor(config)) {
            return address(descriptor.retrieve(clusterId(config)));
        } catch (RuntimeException e) {
            return null; // the rest Service is not there yet
        }
    }

    /**
     * Creates (or replaces) an Ingress {@code <cluster-id>-ui} for the web UI on {@code host}, owned by the
     * JobManager Deployment so Kubernetes removes it with the cluster. Returns the UI's URL.
     */
    public static String createIngress(Map<String, String> options, String host, String className, boolean tls) {
        Configuration config = Configuration.fromMap(options);
        String id = clusterId(config);
        String namespace = namespace(config);
        try (KubernetesClient client = client(config)) {
            Deployment owner = client.apps().deployments().inNamespace(namespace).withName(id).get();
            if (owner == null) {
                throw new IllegalStateException("Kubernetes cluster " + id + " has no JobManager Deployment in"
                        + " namespace " + namespace + "; the Ingress is created after the cluster");
            }
            IngressBuilder ingress = new IngressBuilder()
                    .withNewMetadata()
                        .withName(id + INGRESS_SUFFIX)
                        .withNamespace(namespace)
                        .addToLabels(LABEL_APP, id)
                        .addToLabels(LABEL_TYPE, NATIVE_TYPE)
                        .addToLabels("app.kubernetes.io/managed-by", "tributary")
                        .withOwnerReferences(ownerReference(owner))
                    .endMetadata()
                    .withNewSpec()
                        .withIngressClassName(className)
                        .addNewRule()
                            .withHost(host)
                            .withNewHttp()
                                .addNewPath()
                                    .withPath("/")
                                    .withPathType("Prefix")
                                    .withNewBackend()
                                        .withNewService()
                                            .withName(id + "-rest")
                                            .withNewPort().withName("rest").endPort()
                                        .endService()
                                    .endBackend()
                                .endPath()
                            .endHttp()
                        .endRule()
                    .endSpec();
            if (tls) {
                ingress.editSpec().addNewTl().addToHosts(host).withSecretName(id + "-ui-tls").endTl().endSpec();
            }
            Ingress built = ingress.build();
            client.network().v1().ingresses().inNamespace(namespace).resource(built).createOrReplace();
            return (tls ? "https://" : "http://") + host;
        }
    }

    /**
     * Removes the cluster: flink-kubernetes' kill (the JobManager Deployment, whose owner references take
     * the rest), then whatever still carries the cluster's labels, so nothing is left where no garbage
     * collector runs. Returns what was deleted, {@code kind/name} each.
     */
    public static List<String> delete(Map<String, String> options) throws Exception {
        Configuration config = Configuration.fromMap(options);
        String id = clusterId(config);
        String namespace = namespace(config);
        List<String> deleted = new ArrayList<>();
        try (KubernetesClient client = client(config)) {
            if (client.apps().deployments().inNamespace(namespace).withName(id).get() != null) {
                try (KubernetesClusterDescriptor descriptor = descriptor(config)) {
                    descriptor.killCluster(id);
                }
                deleted.add("Deployment/" + id);
            }
            Map<String, String> labels = Map.of(LABEL_APP, id, LABEL_TYPE, NATIVE_TYPE);
            for (HasMetadata o : client.services().inNamespace(namespace).withLabels(labels).list().getItems()) {
                client.services().inNamespace(namespace).withName(o.getMetadata().getName()).delete();
                deleted.add("Service/" + o.getMetadata().getName());
            }
            for (HasMetadata o : client.configMaps().inNamespace(namespace).withLabels(labels).list().getItems()) {
                client.configMaps().inNamespace(namespace).withName(o.getMetadata().getName()).delete();
                deleted.add("ConfigMap/" + o.getMetadata().getName());
            }
            for (HasMetadata o : client.network().v1().ingresses().inNamespace(namespace).withLabels(labels).list()
                    .getItems()) {
                client.network().v1().ingresses().inNamespace(namespace).withName(o.getMetadata().getName()).delete();
                deleted.add("Ingress/" + o.getMetadata().getName());
            }
        }
        return deleted;
    }

    /**
     * Why a cluster does not come up: each JobManager pod's phase and container states, its events
     * (oldest first) and the tail of its log. Parts the API server will not give are said so, not thrown.
     */
    public static String diagnostics(Map<String, String> options, int logLines) {
        Configuration config = Configuration.fromMap(options);
        String id = clusterId(config);
        String namespace = namespace(config);
        StringBuilder out = new StringBuilder();
        try (KubernetesClient client = client(config)) {
            List<Pod> pods = client.pods().inNamespace(namespace)
                    .withLabels(Map.of(LABEL_APP, id, "component", "jobmanager")).list().getItems();
            Deployment deployment = client.apps().deployments().inNamespace(namespace).withName(id).get();
            if (deployment == null) {
                out.append("No JobManager Deployment ").append(id).append(" in namespace ").append(namespace)
                        .append(".\n");
            }
            if (pods.isEmpty()) {
                out.append("No JobManager pod of cluster ").append(id).append(" was created.\n");
                appendEvents(out, client, namespace, id);
            }
            for (Pod pod : pods) {
                String name = pod.getMetadata().getName();
                out.append("Pod ").append(name).append(": phase ")
                        .append(pod.getStatus() == null ? "unknown" : pod.getStatus().getPhase()).append('\n');
                if (pod.getStatus() != null && pod.getStatus().getContainerStatuses() != null) {
                    pod.getStatus().getContainerStatuses().forEach(c -> {
                        out.append("  container ").append(c.getName()).append(": ");
                        if (c.getState() != null && c.getState().getWaiting() != null) {
                            out.append("waiting, ").append(c.getState().getWaiting().getReason()).append(": ")
                                    .append(nullToEmpty(c.getState().getWaiting().getMessage()));
                        } else if (c.getState() != null && c.getState().getTerminated() != null) {
                            out.append("terminated, exit code ").append(c.getState().getTerminated().getExitCode())
                                    .append(", ").append(nullToEmpty(c.getState().getTerminated().getReason()));
                        } else {
                            out.append("running");
                        }
                        if (c.getRestartCount() != null && c.getRestartCount() > 0) {
                            out.append(", restarted ").append(c.getRestartCount()).append(" times");
                        }
                        out.append('\n');
                    });
                }
                appendEvents(out, client, namespace, name);
                out.append("Log of ").append(name).append(" (last ").append(logLines).append(" lines):\n");
                try {
                    String log = client.pods().inNamespace(namespace).withName(name).tailingLines(logLines).getLog();
                    out.append(log == null || log.isBlank() ? "  (empty)\n" : log.endsWith("\n") ? log : log + "\n");
                } catch (KubernetesClientException e) {
                    out.append("  (not available: ").append(e.getCode()).append(' ').append(e.getStatus() == null
                            ? e.getMessage() : e.getStatus().getMessage()).append(")\n");
                }
            }
        }
        return out.toString();
    }

    private static void appendEvents(StringBuilder out, KubernetesClient client, String namespace, String object) {
        List<Event> events = new ArrayList<>(client.v1().events().inNamespace(namespace)
                .withField("involvedObject.name", object).list().getItems());
        events.removeIf(e -> e.getInvolvedObject() == null || !object.equals(e.getInvolvedObject().getName()));
        if (events.isEmpty()) {
            // API servers that ignore the field selector (or answered nothing): filter here
            client.v1().events().inNamespace(namespace).list().getItems().stream()
                    .filter(e -> e.getInvolvedObject() != null && object.equals(e.getInvolvedObject().getName()))
                    .forEach(events::add);
        }
        events.sort(Comparator.comparing(e -> nullToEmpty(e.getLastTimestamp())));
        out.append("Events of ").append(object).append(events.isEmpty() ? ": none\n" : ":\n");
        for (Event e : events) {
            out.append("  ").append(nullToEmpty(e.getLastTimestamp())).append(' ').append(e.getType()).append(' ')
                    .append(e.getReason()).append(": ").append(nullToEmpty(e.getMessage())).append('\n');
        }
    }

    /** What each object of the cluster is, {@code kind/name -> owner kind/name or ""}: for tests and the docs. */
    public static Map<String, String> objects(Map<String, String> options) {
        Configuration config = Configuration.fromMap(options);
        String id = clusterId(config);
        String namespace = namespace(config);
        Map<String, String> found = new LinkedHashMap<>();
        try (KubernetesClient client = client(config)) {
            Map<String, String> labels = Map.of(LABEL_APP, id);
            client.apps().deployments().inNamespace(namespace).withLabels(labels).list().getItems()
                    .forEach(o -> found.put("Deployment/" + o.getMetadata().getName(), owners(o)));
            client.services().inNamespace(namespace).withLabels(labels).list().getItems()
                    .forEach(o -> found.put("Service/" + o.getMetadata().getName(), owners(o)));
            client.configMaps().inNamespace(namespace).withLabels(labels).list().getItems()
                    .forEach(o -> found.put("ConfigMap/" + o.getMetadata().getName(), owners(o)));
            client.network().v1().ingresses().inNamespace(namespace).withLabels(labels).list().getItems()
                    .forEach(o -> found.put("Ingress/" + o.getMetadata().getName(), owners(o)));
        }
        return found;
    }

    private static String owners(HasMetadata o) {
        List<OwnerReference> refs = o.getMetadata().getOwnerReferences();
        if (refs == null || refs.isEmpty()) {
            return "";
        }
        return refs.stream().map(r -> r.getKind() + "/" + r.getName()).reduce((a, b) -> a + "," + b).orElse("");
    }

    private static void refuseExisting(Configuration config) {
        try (KubernetesClient client = client(config)) {
            if (client.apps().deployments().inNamespace(namespace(config)).withName(clusterId(config)).get() != null) {
                throw new IllegalStateException("a Flink cluster with id " + clusterId(config) + " already exists in"
                        + " namespace " + namespace(config) + "; deploying over it would delete its JobManager");
            }
        }
    }

    private static OwnerReference ownerReference(Deployment owner) {
        return new OwnerReferenceBuilder()
                .withApiVersion("apps/v1")
                .withKind("Deployment")
                .withName(owner.getMetadata().getName())
                .withUid(owner.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }

    private static KubernetesClusterDescriptor descriptor(Configuration config) {
        return new KubernetesClusterClientFactory().createClusterDescriptor(config);
    }

    private static KubernetesClient client(Configuration config) {
        return FlinkKubeClientFactory.getInstance().createFabric8ioKubernetesClient(config);
    }

    private static ClusterSpecification specification(Configuration config) {
        return new KubernetesClusterClientFactory().getClusterSpecification(config);
    }

    private static String address(ClusterClientProvider<String> provider) {
        try (ClusterClient<String> client = provider.getClusterClient()) {
            return client.getWebInterfaceURL();
        }
    }

    private static String clusterId(Configuration config) {
        return config.get(KubernetesConfigOptions.CLUSTER_ID);
    }

    private static String namespace(Configuration config) {
        return config.get(KubernetesConfigOptions.NAMESPACE);
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
