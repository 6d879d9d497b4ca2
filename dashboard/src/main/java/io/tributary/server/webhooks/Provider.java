package io.tributary.server.webhooks;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The Git servers whose push webhooks the service understands, by the last segment of their URL. */
enum Provider {
    GITHUB("X-GitHub-Event"),
    GITLAB("X-Gitlab-Event"),
    GITEA("X-Gitea-Event"),
    /** Bitbucket Data Center / Server ({@code repo:refs_changed}), and Bitbucket Cloud ({@code repo:push}). */
    BITBUCKET("X-Event-Key"),
    /** Anything else that can sign a body: {@code X-Tributary-Signature: sha256=<hex>}. */
    GENERIC("X-Tributary-Event");

    private final String eventHeader;

    Provider(String eventHeader) {
        this.eventHeader = eventHeader;
    }

    /** The path segment and metric tag: {@code github}, {@code gitlab}, ... */
    String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The header that says which event a delivery is about. */
    String eventHeader() {
        return eventHeader;
    }

    static Optional<Provider> of(String id) {
        return Arrays.stream(values()).filter(p -> p.id().equals(id)).findFirst();
    }

    static String ids() {
        return Arrays.stream(values()).map(Provider::id).collect(Collectors.joining(", "));
    }
}
