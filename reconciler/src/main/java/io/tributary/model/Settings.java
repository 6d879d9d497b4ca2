package io.tributary.model;

import java.util.List;

/** Platform-wide settings: Maven repositories, SMTP, container registry, ingress, links. */
public record Settings(Metadata metadata, Spec spec) implements Resource {

    public record Spec(Maven maven, Smtp smtp, ContainerRegistry containerRegistry, Ingress ingress, String dashboardUrl) {}

    public record Maven(List<Repository> repositories, List<Mirror> mirrors, SecretRef settingsXml) {
        public Maven {
            repositories = repositories == null ? List.of() : List.copyOf(repositories);
            mirrors = mirrors == null ? List.of() : List.copyOf(mirrors);
        }
    }

    public record Repository(String id, String url, Credential credentials) {}

    public record Mirror(String id, String url, String mirrorOf) {}

    public record Smtp(String host, Integer port, String from, String username, Credential password, Boolean startTls) {}

    public record ContainerRegistry(String url, String namespace, Credential credentials) {}

    public record Ingress(String domain, String className, boolean tls) {}

    @Override
    public Kind kind() {
        return Kind.SETTINGS;
    }
}
