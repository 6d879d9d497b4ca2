package io.tributary.flink;

import io.tributary.build.Digests;
import io.tributary.model.Application;
import io.tributary.model.Cluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Native Kubernetes session and application clusters, deployed by the flink-kubernetes of the
 * cluster's own Flink version (see {@link DeployerLoaders}). Options come from the Cluster or
 * Application spec ({@code kubernetes:} block, then {@code flinkConfiguration}); the kubeconfig is
 * fabric8's usual one ({@code KUBECONFIG}, {@code ~/.kube/config}, else the in-cluster service
 * account) unless {@code kubernetes.config.file} is set, and {@code kubernetes.context} picks a context.
 */
public final class KubernetesClusters {
    static final String MODULE = "flink-kubernetes";
    /** Flink refuses longer cluster ids (they name Services, which are DNS-1035 labels of at most 63). */
    static final int MAX_CLUSTER_ID = 45;
    private static final int LOG_LINES = 100;
    private static final String TEMPLATE_PREFIX = "pod-template-";
    private static final ObjectMapper TEMPLATE_JSON = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private final DeployerLoaders loaders;

    public KubernetesClusters(DeployerLoaders loaders) {
        this.loaders = loaders;
    }

    /** The Flink options of a Kubernetes session Cluster. */
    public static Map<String, String> sessionOptions(Cluster cluster, FlinkHome home) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("execution.target", "kubernetes-session");
        options.put("kubernetes.cluster-id", clusterId(cluster.metadata().team(), cluster.metadata().name()));
        putKubernetes(options, cluster.spec().kubernetes(), home);
        options.putAll(cluster.spec().flinkConfiguration());
        return options;
    }

    /** {@link #sessionOptions(Cluster, FlinkHome)} with the Cluster's pod templates written to files in {@code dir}. */
    public static Map<String, String> sessionOptions(Cluster cluster, FlinkHome home, Path dir) {
        Map<String, String> options = sessionOptions(cluster, home);
        options.putAll(podTemplateFiles(cluster.spec().kubernetes(), dir));
        return options;
    }

    /** {@link #applicationOptions(Application, FlinkHome)} with the app's pod templates written to files in {@code dir}. */
    public static Map<String, String> applicationOptions(Application app, FlinkHome home, Path dir) {
        Map<String, String> options = applicationOptions(app, home);
        options.putAll(podTemplateFiles(app.spec().deployment().kubernetes(), dir));
        return options;
    }

    /**
     * Writes a spec's pod templates as files in {@code dir}, named by their content (so a changed template
     * is a changed option), removes the ones a new one replaces, and returns Flink's
     * {@code kubernetes.pod-template-file.<role>} options naming them.
     */
    static Map<String, String> podTemplateFiles(Cluster.Kubernetes k8s, Path dir) {
        Map<String, String> options = new LinkedHashMap<>();
        if (k8s == null || k8s.podTemplates().isEmpty()) {
            return options;
        }
        Set<Path> current = new HashSet<>();
        boolean wroteNew = false;
        for (Map.Entry<String, Map<String, Object>> template : k8s.podTemplates().entrySet()) {
            String role = template.getKey();
            Map<String, Object> pod = new LinkedHashMap<>();
            pod.put("apiVersion", "v1");
            pod.put("kind", "Pod");
            pod.putAll(template.getValue());
            byte[] json = TEMPLATE_JSON.writeValueAsBytes(pod);
            Path file = dir.resolve(TEMPLATE_PREFIX + role + "-" + Digests.sha256(json).substring(0, 16) + ".json");
            current.add(file);
            options.put("kubernetes.pod-template-file." + role, file.toAbsolutePath().toString());
            if (!Files.isRegularFile(file)) {
                try {
                    Files.createDirectories(dir);
                    Files.write(file, json);
                } catch (IOException e) {
                    throw new UncheckedIOException("could not write the " + role + " pod template to " + file, e);
                }
                wroteNew = true;
            }
        }
        if (wroteNew) { // a changed template: the ones it replaces go
            try (Stream<Path> files = Files.list(dir)) {
                for (Path old : files.filter(f -> f.getFileName().toString().startsWith(TEMPLATE_PREFIX))
                        .filter(f -> !current.contains(f)).toList()) {
                    Files.deleteIfExists(old);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return options;
    }

    /**
     * The Flink options of a {@code kubernetes-application} app's cluster, before its job's own
     * (see {@link KubernetesAppCluster}).
     */
    public static Map<String, String> applicationOptions(Application app, FlinkHome home) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("execution.target", "kubernetes-application");
        options.put("kubernetes.cluster-id", clusterId(app.metadata().team(), app.metadata().name()));
        putKubernetes(options, app.spec().deployment().kubernetes(), home);
        // the app's own options: its kubeconfig, context and pod template reach every call, not only the deploy
        options.putAll(app.spec().flinkConfiguration());
        return options;
    }

    /**
     * What a Flink distribution's default config.yaml gives a Kubernetes cluster (the descriptor reads no
     * config.yaml here), under the spec's own options: memory sizes, one slot, Java 17's add-opens.
     */
    public static void putDefaults(Map<String, String> options) {
        options.putIfAbsent("jobmanager.memory.process.size", "1600m");
        options.putIfAbsent("taskmanager.memory.process.size", "1728m");
        options.putIfAbsent("taskmanager.numberOfTaskSlots", "1");
        options.putIfAbsent("env.java.opts.all", FlinkDistributions.JAVA17_OPTIONS);
    }

    private static void putKubernetes(Map<String, String> options, Cluster.Kubernetes k8s, FlinkHome home) {
        putDefaults(options);
        options.put("kubernetes.namespace", k8s != null && k8s.namespace() != null ? k8s.namespace() : "default");
        options.put("kubernetes.container.image.ref", k8s != null && k8s.image() != null ? k8s.image()
                : "flink:" + home.version() + "-java17");
        if (k8s != null && k8s.context() != null) {
            options.put("kubernetes.context", k8s.context());
        }
        if (k8s != null && k8s.serviceAccount() != null) {
            options.put("kubernetes.service-account", k8s.serviceAccount());
        }
    }

    /**
     * A cluster id for a (team, name): {@code team-name} in lower case, DNS-1035 safe; shortened with a
     * hash suffix when longer than Flink allows, so two long names never share an id.
     */
    public static String clusterId(String team, String name) {
        String raw = (team == null ? name : team + "-" + name).toLowerCase(Locale.ROOT);
        String id = raw.replaceAll("[^a-z0-9-]", "-").replaceAll("-+", "-");
        if (!Character.isLetter(id.charAt(0))) {
            id = "f-" + id;
        }
        if (id.length() > MAX_CLUSTER_ID) {
            String hash = Digests.sha256(raw.getBytes(StandardCharsets.UTF_8)).substring(0, 8);
            id = id.substring(0, MAX_CLUSTER_ID - 9) + "-" + hash;
        }
        return id.replaceAll("-$", "0");
    }

    public boolean exists(FlinkHome home, Map<String, String> options) {
        return (Boolean) call(home, "exists", options);
    }

    /** Deploys a session cluster; fails when the id exists already (check with {@link #exists}). */
    public URI deploySession(FlinkHome home, Map<String, String> options) {
        return URI.create((String) call(home, "deploySession", options));
    }

    public URI deployApplication(FlinkHome home, Map<String, String> options, List<String> args, String entryClass) {
        return URI.create((String) call(home, "deployApplication", options, List.copyOf(args), entryClass));
    }

    /** The REST address flink-kubernetes reports for a cluster that exists. */
    public Optional<URI> restAddress(FlinkHome home, Map<String, String> options) {
        return Optional.ofNullable((String) call(home, "restAddress", options)).map(URI::create);
    }

    /** Creates the web UI Ingress on {@code <cluster-id>.<domain>}; returns its URL. */
    public URI createIngress(FlinkHome home, Map<String, String> options, String domain, String className,
            boolean tls) {
        String host = options.get("kubernetes.cluster-id") + "." + domain;
        return URI.create((String) call(home, "createIngress", options, host, className, tls));
    }

    /** Removes the cluster's objects; returns them as {@code Kind/name}. */
    @SuppressWarnings("unchecked")
    public List<String> delete(FlinkHome home, Map<String, String> options) {
        return (List<String>) call(home, "delete", options);
    }

    /** The JobManager pods' states, events and log tails. */
    public String diagnostics(FlinkHome home, Map<String, String> options) {
        try {
            return (String) call(home, "diagnostics", options, LOG_LINES);
        } catch (RuntimeException e) {
            return "(no diagnostics: " + e.getMessage() + ")";
        }
    }

    /** The cluster's objects, {@code Kind/name -> owner Kind/name}. */
    @SuppressWarnings("unchecked")
    public Map<String, String> objects(FlinkHome home, Map<String, String> options) {
        return (Map<String, String>) call(home, "objects", options);
    }

    private Object call(FlinkHome home, String method, Object... args) {
        return loaders.call(home, MODULE, DeployerLoaders.KUBERNETES, method, args);
    }
}
