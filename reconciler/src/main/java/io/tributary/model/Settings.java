package io.tributary.model;

import java.util.List;

/** Platform-wide settings: Maven repositories, SMTP, container registry, ingress, links. */
public record Settings(Metadata metadata, Spec spec) implements Resource {

    public record Spec(Maven maven, Smtp smtp, ContainerRegistry containerRegistry, Ingress ingress, String dashboardUrl,
            Alerts alerts) {
        public Spec(Maven maven, Smtp smtp, ContainerRegistry containerRegistry, Ingress ingress, String dashboardUrl) {
            this(maven, smtp, containerRegistry, ingress, dashboardUrl, null);
        }
    }

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

    /**
     * How alerts are delivered; each absent value keeps the service's default (group wait 5s, repeat
     * interval 1h, 4 attempts, a digest above 3 notices).
     *
     * @param groupWait how long notices wait to be grouped into one digest per channel
     * @param repeatInterval how often an alert that stays open is sent again
     * @param attempts delivery attempts per notice and channel
     * @param digestThreshold more notices than this for one channel at once go out as one digest
     */
    public record Alerts(TimeSpan groupWait, TimeSpan repeatInterval, Integer attempts, Integer digestThreshold) {}

    @Override
    public Kind kind() {
        return Kind.SETTINGS;
    }
}
