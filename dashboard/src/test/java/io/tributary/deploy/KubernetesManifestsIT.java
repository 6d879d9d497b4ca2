package io.tributary.deploy;

import static io.tributary.deploy.ServiceVariables.DEPLOY;
import static io.tributary.deploy.ServiceVariables.read;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * deploy/kubernetes: every manifest loads as fabric8's typed model with no field the model does not
 * know (a typo such as {@code readinessProbes} would otherwise be dropped silently by the API
 * server), the pieces fit together (selectors, secrets, service account, the service's variables and
 * probes), and the whole set applies to the fabric8 mock API server as {@code kubectl apply -k} would.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesManifestsIT {
    private static final Path DIR = DEPLOY.resolve("kubernetes");
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    KubernetesClient client;

    /** A manifest document and where it is. */
    record Manifest(String file, HasMetadata object) {}

    static List<Manifest> manifests() throws Exception {
        List<Manifest> out = new ArrayList<>();
        for (String file : kustomizationResources()) {
            for (String doc : read(DIR.resolve(file)).split("(?m)^---\\s*$")) {
                if (doc.lines().allMatch(l -> l.isBlank() || l.strip().startsWith("#"))) {
                    continue;
                }
                Object object = SERIALIZATION.unmarshal(doc);
                assertThat(object).as("a document of %s", file).isInstanceOf(HasMetadata.class);
                out.add(new Manifest(file, (HasMetadata) object));
            }
        }
        return out;
    }

    static List<String> kustomizationResources() {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^  - (\\S+\\.yaml)$").matcher(read(DIR.resolve("kustomization.yaml")));
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static <T> List<T> ofKind(List<Manifest> manifests, Class<T> kind) {
        return manifests.stream().map(Manifest::object).filter(kind::isInstance).map(o -> (T) o).toList();
    }

    @Test
    void kustomizationListsEveryManifest() throws Exception {
        try (Stream<Path> files = Files.list(DIR)) {
            List<String> yaml = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml")).toList();
            assertThat(kustomizationResources()).containsExactlyInAnyOrderElementsOf(yaml);
        }
    }

    @Test
    void everyManifestLoadsAsTypedObjectsWithNoUnknownField() throws Exception {
        List<Manifest> manifests = manifests();
        assertThat(manifests).isNotEmpty();
        for (Manifest m : manifests) {
            List<String> unknown = new ArrayList<>();
            unknownFields(m.object(), m.object().getKind(), unknown, new IdentityHashMap<>());
            assertThat(unknown).as("fields of %s %s in %s that the Kubernetes model does not have", m.object().getKind(),
                    m.object().getMetadata().getName(), m.file()).isEmpty();
            assertThat(m.object().getMetadata().getLabels()).as("labels of %s", m.object().getMetadata().getName())
                    .containsKey("app.kubernetes.io/" + (m.object() instanceof Namespace ? "part-of" : "name"));
        }
    }

    @Test
    void twoReplicasWithProbesResourcesAndOnlyTheServiceVariables() throws Exception {
        List<Manifest> manifests = manifests();
        Deployment deployment = ofKind(manifests, Deployment.class).get(0);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
        Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getArgs()).containsExactly("serve");
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(container.getStartupProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(container.getResources().getLimits()).containsKey("memory");

        // the variables: set directly, and those of the ConfigMap the container takes whole
        List<String> variables = new ArrayList<>(container.getEnv().stream().map(EnvVar::getName).toList());
        ConfigMap settings = ofKind(manifests, ConfigMap.class).get(0);
        assertThat(container.getEnvFrom()).singleElement()
                .satisfies(from -> assertThat(from.getConfigMapRef().getName()).isEqualTo(settings.getMetadata().getName()));
        variables.addAll(settings.getData().keySet());
        assertThat(variables).as("variables of the container").allMatch(ServiceVariables::known).doesNotHaveDuplicates();

        String port = container.getEnv().stream().filter(e -> e.getName().equals("TRIBUTARY_PORT")).findFirst()
                .orElseThrow().getValue();
        assertThat(container.getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getContainerPort()).isEqualTo(Integer.parseInt(port));
            assertThat(p.getName()).isEqualTo(container.getReadinessProbe().getHttpGet().getPort().getStrVal());
        });
        assertThat(deployment.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        String dataDir = settings.getData().get("TRIBUTARY_DATA_DIR");
        assertThat(container.getVolumeMounts()).extracting(VolumeMount::getMountPath).contains(dataDir);
    }

    @Test
    void secretsTheDeploymentReadsExistAndFilesPointIntoTheirMount() throws Exception {
        List<Manifest> manifests = manifests();
        Deployment deployment = ofKind(manifests, Deployment.class).get(0);
        Secret secret = ofKind(manifests, Secret.class).get(0);
        Set<String> keys = secret.getStringData().keySet();
        assertThat(keys).contains("database-url", "database-password", "webhook-secret", "git-token");
        Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        for (EnvVar env : container.getEnv()) {
            if (env.getValueFrom() != null && env.getValueFrom().getSecretKeyRef() != null) {
                assertThat(env.getValueFrom().getSecretKeyRef().getName()).isEqualTo(secret.getMetadata().getName());
                assertThat(keys).as("secret key of %s", env.getName()).contains(env.getValueFrom().getSecretKeyRef().getKey());
            }
        }
        Volume secrets = deployment.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getSecret() != null).findFirst().orElseThrow();
        assertThat(secrets.getSecret().getSecretName()).isEqualTo(secret.getMetadata().getName());
        String mount = container.getVolumeMounts().stream().filter(m -> m.getName().equals(secrets.getName()))
                .findFirst().orElseThrow().getMountPath();
        for (EnvVar env : container.getEnv()) {
            if (env.getName().endsWith("_FILE")) {
                assertThat(env.getValue()).as(env.getName()).startsWith(mount + "/");
                String file = env.getValue().substring(mount.length() + 1);
                assertThat(secrets.getSecret().getItems()).as("secret files").anySatisfy(item -> {
                    assertThat(item.getPath()).isEqualTo(file);
                    assertThat(keys).contains(item.getKey());
                });
            }
        }
    }

    @Test
    void serviceAndDisruptionBudgetSelectThePodsAndRbacCoversNativeKubernetesMode() throws Exception {
        List<Manifest> manifests = manifests();
        Deployment deployment = ofKind(manifests, Deployment.class).get(0);
        Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        Service service = ofKind(manifests, Service.class).get(0);
        assertThat(podLabels).containsAllEntriesOf(service.getSpec().getSelector());
        PodDisruptionBudget pdb = ofKind(manifests, PodDisruptionBudget.class).get(0);
        assertThat(podLabels).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
        assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isPositive()
                .isLessThan(deployment.getSpec().getReplicas());

        String account = deployment.getSpec().getTemplate().getSpec().getServiceAccountName();
        String namespace = deployment.getMetadata().getNamespace();
        assertThat(ofKind(manifests, ServiceAccount.class)).anyMatch(sa -> sa.getMetadata().getName().equals(account)
                && sa.getMetadata().getNamespace().equals(namespace));
        RoleBinding binding = ofKind(manifests, RoleBinding.class).stream()
                .filter(b -> b.getSubjects().stream().anyMatch(s -> s.getName().equals(account)
                        && namespace.equals(s.getNamespace())))
                .findFirst().orElseThrow();
        Role role = ofKind(manifests, Role.class).stream()
                .filter(r -> r.getMetadata().getName().equals(binding.getRoleRef().getName())
                        && r.getMetadata().getNamespace().equals(binding.getMetadata().getNamespace()))
                .findFirst().orElseThrow();
        // what Flink's KubernetesClusterDescriptor creates for a session or application cluster
        assertThat(allows(role, "apps", "deployments", "create")).isTrue();
        assertThat(allows(role, "", "configmaps", "create")).isTrue();
        assertThat(allows(role, "", "services", "create")).isTrue();
        assertThat(allows(role, "apps", "deployments", "delete")).isTrue();
        assertThat(allows(role, "", "pods/log", "get")).isTrue();
        assertThat(allows(role, "networking.k8s.io", "ingresses", "create")).isTrue();
    }

    private static boolean allows(Role role, String group, String resource, String verb) {
        for (PolicyRule rule : role.getRules()) {
            if (rule.getApiGroups().contains(group) && rule.getResources().contains(resource)
                    && rule.getVerbs().contains(verb)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void theWholeSetAppliesToTheApiServer() throws Exception {
        List<Manifest> manifests = manifests();
        for (Manifest m : manifests) {
            client.resource(m.object()).create();
        }
        for (Manifest m : manifests) {
            HasMetadata stored = client.resource(m.object()).get();
            assertThat(stored).as("%s %s from %s on the server", m.object().getKind(), m.object().getMetadata().getName(),
                    m.file()).isNotNull();
        }
        Deployment deployment = client.apps().deployments().inNamespace("tributary").withName("tributary").get();
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
        assertThat(client.rbac().roles().inNamespace("flink").list().getItems()).hasSize(2);
    }

    /** Collects paths of values the model kept in an {@code additionalProperties} map: fields it does not know. */
    private static void unknownFields(Object object, String path, List<String> out, Map<Object, Boolean> seen)
            throws Exception {
        if (object == null || seen.put(object, Boolean.TRUE) != null) {
            return;
        }
        if (object instanceof Collection<?> c) {
            int i = 0;
            for (Object item : c) {
                unknownFields(item, path + "[" + i++ + "]", out, seen);
            }
            return;
        }
        if (object instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                unknownFields(e.getValue(), path + "." + e.getKey(), out, seen);
            }
            return;
        }
        if (!(object instanceof KubernetesResource)) {
            return;
        }
        for (Method getter : object.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get")
                    || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value = getter.invoke(object);
            if (getter.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    extra.keySet().forEach(k -> out.add(path + "." + k));
                }
            } else {
                unknownFields(value, path + "." + getter.getName().substring(3, 4).toLowerCase()
                        + getter.getName().substring(4), out, seen);
            }
        }
    }
}
