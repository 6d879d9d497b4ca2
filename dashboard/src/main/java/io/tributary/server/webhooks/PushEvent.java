package io.tributary.server.webhooks;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a verified delivery says, as far as the service cares: its event type, whether it moved refs
 * (a push), and which refs ({@code refs/heads/main}, {@code refs/tags/v1}).
 *
 * @param refs the refs a push moved; empty for a generic delivery that names none ("fetch now")
 */
record PushEvent(String type, boolean push, List<String> refs) {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String HEADS = "refs/heads/";
    private static final String TAGS = "refs/tags/";

    PushEvent {
        refs = List.copyOf(refs);
    }

    /**
     * Reads a delivery of {@code provider} whose event header said {@code eventType} (null when absent).
     * Only pushes are parsed; anything else is an event that changes nothing.
     *
     * @throws IllegalArgumentException when a push's body is not the JSON the provider sends
     */
    static PushEvent parse(Provider provider, String eventType, byte[] body) {
        String type = eventType == null || eventType.isBlank() ? "(none)" : eventType.strip();
        switch (provider) {
            case GITHUB:
            case GITEA:
                return "push".equals(type) ? new PushEvent(type, true, refOf(json(body))) : other(type);
            case GITLAB:
                if ("Push Hook".equals(type) || "Tag Push Hook".equals(type)) {
                    return new PushEvent(type, true, refOf(json(body)));
                }
                if ("System Hook".equals(type)) {
                    JsonNode node = json(body);
                    String name = node.path("event_name").asString("");
                    return "push".equals(name) || "tag_push".equals(name) ? new PushEvent(type, true, refOf(node))
                            : other(type + " " + name);
                }
                return other(type);
            case BITBUCKET:
                if ("repo:refs_changed".equals(type)) {
                    return new PushEvent(type, true, bitbucketServerRefs(json(body)));
                }
                if ("repo:push".equals(type)) {
                    return new PushEvent(type, true, bitbucketCloudRefs(json(body)));
                }
                return other(type);
            case GENERIC:
                return generic(eventType, body);
            default:
                throw new IllegalArgumentException("no payload format for " + provider);
        }
    }

    /** Whether this push moved {@code watched} (a branch or tag, short or full name); any push when unknown. */
    boolean moves(Optional<String> watched) {
        if (!push) {
            return false;
        }
        if (watched.isEmpty() || refs.isEmpty()) {
            return true;
        }
        String w = watched.get();
        return refs.stream().anyMatch(r -> r.equals(w) || r.equals(HEADS + w) || r.equals(TAGS + w));
    }

    private static PushEvent other(String type) {
        return new PushEvent(type, false, List.of());
    }

    /**
     * The generic scheme: an optional {@code X-Tributary-Event} ({@code push} when absent; anything else
     * is ignored) and an optional JSON body {@code {"ref": "refs/heads/main"}} or {@code {"branch": "main"}}.
     */
    private static PushEvent generic(String eventType, byte[] body) {
        String type = eventType == null || eventType.isBlank() ? "push" : eventType.strip();
        if (!"push".equals(type)) {
            return other(type);
        }
        if (body.length == 0 || new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            return new PushEvent(type, true, List.of());
        }
        JsonNode node = json(body);
        if (node.path("ref").isString()) {
            return new PushEvent(type, true, List.of(node.path("ref").asString()));
        }
        if (node.path("branch").isString()) {
            return new PushEvent(type, true, List.of(HEADS + node.path("branch").asString()));
        }
        return new PushEvent(type, true, List.of());
    }

    private static List<String> refOf(JsonNode node) {
        JsonNode ref = node.path("ref");
        if (!ref.isString() || ref.asString().isBlank()) {
            throw new IllegalArgumentException("the push has no \"ref\"");
        }
        return List.of(ref.asString());
    }

    /** Data Center / Server: {@code changes[].ref} with {@code id} (full name), {@code displayId} and {@code type}. */
    private static List<String> bitbucketServerRefs(JsonNode node) {
        List<String> refs = new ArrayList<>();
        for (JsonNode change : node.path("changes")) {
            JsonNode ref = change.path("ref");
            String id = ref.path("id").asString("");
            String display = ref.path("displayId").asString("");
            String kind = ref.path("type").asString("");
            if (id.startsWith("refs/")) {
                refs.add(id);
            } else if (!display.isEmpty()) {
                refs.add(("TAG".equals(kind) ? TAGS : HEADS) + display);
            }
        }
        if (refs.isEmpty()) {
            throw new IllegalArgumentException("the push has no changes[].ref");
        }
        return refs;
    }

    /** Cloud: {@code push.changes[].new} (or {@code old} for a deletion) with {@code type} and {@code name}. */
    private static List<String> bitbucketCloudRefs(JsonNode node) {
        List<String> refs = new ArrayList<>();
        for (JsonNode change : node.path("push").path("changes")) {
            JsonNode ref = change.path("new").isObject() ? change.path("new") : change.path("old");
            String name = ref.path("name").asString("");
            if (!name.isEmpty()) {
                refs.add(("tag".equals(ref.path("type").asString("")) ? TAGS : HEADS) + name);
            }
        }
        if (refs.isEmpty()) {
            throw new IllegalArgumentException("the push has no push.changes[].new");
        }
        return refs;
    }

    /**
     * The repository a push is about, as every URL the provider gives for it (clone, ssh, web), so that
     * it can be matched against Projects' {@code spec.git.url}; empty when the body names none.
     */
    static List<String> repositoryUrls(byte[] body) {
        List<String> urls = new ArrayList<>();
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (JacksonException | IllegalArgumentException e) {
            return urls;
        }
        if (node == null || !node.isObject()) {
            return urls;
        }
        JsonNode repository = node.path("repository");
        for (String field : List.of("clone_url", "ssh_url", "git_url", "html_url", "url", "git_http_url", "git_ssh_url",
                "homepage")) {
            addUrl(urls, repository.path(field));
        }
        JsonNode project = node.path("project");
        for (String field : List.of("git_http_url", "git_ssh_url", "web_url", "http_url", "ssh_url")) {
            addUrl(urls, project.path(field));
        }
        // without a URL (test deliveries, some providers): the repository's path, matched as the end of a project's URL
        addUrl(urls, repository.path("full_name"));
        addUrl(urls, project.path("path_with_namespace"));
        addUrl(urls, repository.path("links").path("html").path("href"));
        for (JsonNode clone : repository.path("links").path("clone")) {
            addUrl(urls, clone.path("href"));
        }
        if (repository.isString()) {
            addUrl(urls, repository);
        }
        return urls;
    }

    private static void addUrl(List<String> urls, JsonNode value) {
        if (value.isString() && !value.asString().isBlank() && !urls.contains(value.asString())) {
            urls.add(value.asString());
        }
    }

    private static JsonNode json(byte[] body) {
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("the body is not a JSON object");
            }
            return node;
        } catch (JacksonException e) {
            throw new IllegalArgumentException("the body is not JSON: " + e.getOriginalMessage());
        }
    }
}
