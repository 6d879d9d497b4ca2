package io.tributary.model;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Everything one revision of a config repository declares, validated and with variables
 * substituted. Immutable; lookups by identity, and by kind through an index built once, so
 * planning 10,000 apps does not scan every document per app.
 *
 * @param byType the resources of each type, sorted by qualified name (derived from {@code resources})
 */
public record DesiredState(Map<ResourceId, Resource> resources, Map<Class<?>, List<Resource>> byType) {
    public DesiredState {
        resources = Map.copyOf(resources);
        byType = resources.values().stream()
                .sorted((a, b) -> a.id().qualifiedName().compareTo(b.id().qualifiedName()))
                .collect(Collectors.groupingBy(Object::getClass, Collectors.toUnmodifiableList()));
    }

    public DesiredState(Map<ResourceId, Resource> resources) {
        this(resources, Map.of());
    }

    public static DesiredState of(Collection<? extends Resource> resources) {
        return new DesiredState(resources.stream().collect(Collectors.toMap(Resource::id, Function.identity())));
    }

    @SuppressWarnings("unchecked")
    public <T extends Resource> List<T> all(Class<T> type) {
        return (List<T>) byType.getOrDefault(type, List.of());
    }

    public List<Application> applications() {
        return all(Application.class);
    }

    public Optional<Resource> get(ResourceId id) {
        return Optional.ofNullable(resources.get(id));
    }

    /** The FlinkVersion marked default, or the only one. */
    public Optional<FlinkVersion> defaultFlinkVersion() {
        List<FlinkVersion> versions = all(FlinkVersion.class);
        if (versions.size() == 1) {
            return Optional.of(versions.get(0));
        }
        return versions.stream().filter(v -> v.spec().isDefault()).findFirst();
    }

    /** The FlinkVersion of that name; for none, the default one. */
    public Optional<FlinkVersion> flinkVersion(String name) {
        if (name == null) {
            return defaultFlinkVersion();
        }
        return all(FlinkVersion.class).stream().filter(v -> v.metadata().name().equals(name)).findFirst();
    }

    /**
     * The FlinkVersion an application's job runs on: the one it names, else its session cluster's (an app in a
     * session mode runs on its cluster's Flink), else the default.
     */
    public Optional<FlinkVersion> flinkVersionOf(Application app) {
        String name = app.spec().flinkVersion();
        if (name == null) {
            name = clusterOf(app).map(c -> c.spec().flinkVersion()).orElse(null);
        }
        return flinkVersion(name);
    }

    /** The session cluster an application names: its team's cluster of that name, else the platform's. */
    public Optional<Cluster> clusterOf(Application app) {
        String name = app.spec().deployment().cluster();
        if (name == null) {
            return Optional.empty();
        }
        Resource own = resources.get(new ResourceId(Kind.CLUSTER, app.metadata().team(), name));
        Resource platform = resources.get(new ResourceId(Kind.CLUSTER, null, name));
        return Optional.ofNullable((Cluster) (own != null ? own : platform));
    }

    /**
     * The name of the cluster the application's jobs run on: the session cluster it names, or for the
     * other modes the cluster deployed with its job ({@link #appClusterName}); empty when the session
     * cluster it names is not declared.
     */
    public Optional<String> jobClusterName(Application app) {
        Application.DeploymentMode mode = app.spec().deployment().mode();
        if (!mode.isSession()) {
            return Optional.of(appClusterName(mode, app.id().qualifiedName()));
        }
        return clusterOf(app).map(c -> c.id().qualifiedName());
    }

    /**
     * The name of the cluster an app in a mode without a session deploys with its job: its platform and
     * the app ({@value #KUBERNETES_APP_CLUSTER}{@code team/name}, {@value #YARN_APP_CLUSTER}{@code team/name}),
     * so that an app Git moves from YARN to Kubernetes is moved as from one cluster to another.
     */
    public static String appClusterName(Application.DeploymentMode mode, String app) {
        if (mode.isSession()) {
            throw new IllegalArgumentException(mode.yamlName() + " runs on a session cluster");
        }
        return (mode == Application.DeploymentMode.KUBERNETES_APPLICATION ? KUBERNETES_APP_CLUSTER : YARN_APP_CLUSTER)
                + app;
    }

    /** The app whose own cluster this is; empty for a session cluster's name. */
    public static Optional<String> appOfCluster(String clusterName) {
        for (String prefix : List.of(KUBERNETES_APP_CLUSTER, YARN_APP_CLUSTER)) {
            if (clusterName.startsWith(prefix)) {
                return Optional.of(clusterName.substring(prefix.length()));
            }
        }
        return Optional.empty();
    }

    /** Whether the app cluster of this name runs on Kubernetes (else on YARN). */
    public static boolean onKubernetes(String appClusterName) {
        return appClusterName.startsWith(KUBERNETES_APP_CLUSTER);
    }

    private static final String KUBERNETES_APP_CLUSTER = "kubernetes-app:";
    private static final String YARN_APP_CLUSTER = "yarn-app:";

    public Optional<Settings> settings() {
        return all(Settings.class).stream().findFirst();
    }

    public int size() {
        return resources.size();
    }
}
