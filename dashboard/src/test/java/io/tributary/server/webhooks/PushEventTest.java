package io.tributary.server.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PushEventTest {
    private static final Optional<String> MAIN = Optional.of("main");

    @Test
    void eachProvidersPushNamesTheBranch() {
        assertThat(PushEvent.parse(Provider.GITHUB, "push", payload("github-push.json")).refs())
                .containsExactly("refs/heads/main");
        assertThat(PushEvent.parse(Provider.GITLAB, "Push Hook", payload("gitlab-push.json")).refs())
                .containsExactly("refs/heads/main");
        assertThat(PushEvent.parse(Provider.GITEA, "push", payload("gitea-push.json")).refs())
                .containsExactly("refs/heads/main");
        assertThat(PushEvent.parse(Provider.BITBUCKET, "repo:refs_changed", payload("bitbucket-push.json")).refs())
                .containsExactly("refs/heads/main");
        assertThat(PushEvent.parse(Provider.BITBUCKET, "repo:push", payload("bitbucket-cloud-push.json")).refs())
                .containsExactly("refs/heads/main");
        assertThat(PushEvent.parse(Provider.GENERIC, null, payload("generic-push.json")).refs())
                .containsExactly("refs/heads/main");
    }

    @Test
    void aPushNamesItsRepositoryByEveryUrlTheProviderGives() {
        byte[] github = """
                {"ref": "refs/heads/main", "repository": {"full_name": "acme/jobs",
                 "clone_url": "https://github.com/acme/jobs.git", "ssh_url": "git@github.com:acme/jobs.git",
                 "html_url": "https://github.com/acme/jobs"}}
                """.getBytes(StandardCharsets.UTF_8);
        assertThat(PushEvent.repositoryUrls(github)).containsExactly("https://github.com/acme/jobs.git",
                "git@github.com:acme/jobs.git", "https://github.com/acme/jobs", "acme/jobs");
        byte[] gitlab = """
                {"ref": "refs/heads/main", "project": {"path_with_namespace": "acme/jobs",
                 "git_http_url": "https://gitlab.com/acme/jobs.git"}}
                """.getBytes(StandardCharsets.UTF_8);
        assertThat(PushEvent.repositoryUrls(gitlab)).containsExactly("https://gitlab.com/acme/jobs.git", "acme/jobs");
        assertThat(PushEvent.repositoryUrls(payload("gitlab-push.json"))).containsExactly("acme/flink-platform");
        assertThat(PushEvent.repositoryUrls("not json".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(PushEvent.repositoryUrls(new byte[0])).isEmpty();
    }

    @Test
    void aPushToTheFollowedBranchMovesIt() {
        PushEvent push = PushEvent.parse(Provider.GITHUB, "push", payload("github-push.json"));
        assertThat(push.moves(MAIN)).isTrue();
        assertThat(push.moves(Optional.of("refs/heads/main"))).isTrue();
        assertThat(push.moves(Optional.of("release"))).isFalse();
        assertThat(push.moves(Optional.empty())).as("followed branch not known yet: fetch").isTrue();
    }

    @Test
    void bitbucketServerWithOnlyDisplayIdsStillNamesTheBranch() {
        byte[] body = """
                {"changes": [{"ref": {"displayId": "feature/x", "type": "BRANCH"}},
                             {"ref": {"displayId": "main", "type": "BRANCH"}}]}""".getBytes(StandardCharsets.UTF_8);
        PushEvent push = PushEvent.parse(Provider.BITBUCKET, "repo:refs_changed", body);
        assertThat(push.refs()).containsExactly("refs/heads/feature/x", "refs/heads/main");
        assertThat(push.moves(MAIN)).isTrue();
    }

    @Test
    void tagsAreNotTheFollowedBranch() {
        byte[] body = "{\"ref\": \"refs/tags/v1.4\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(PushEvent.parse(Provider.GITLAB, "Tag Push Hook", body).moves(MAIN)).isFalse();
        assertThat(PushEvent.parse(Provider.GITLAB, "Tag Push Hook", body).moves(Optional.of("v1.4")))
                .as("a pinned tag that is pushed again").isTrue();
    }

    @Test
    void otherEventsAreNoPush() {
        assertThat(PushEvent.parse(Provider.GITHUB, "ping", payload("github-ping.json")).push()).isFalse();
        assertThat(PushEvent.parse(Provider.GITHUB, "issues", new byte[0]).push()).isFalse();
        assertThat(PushEvent.parse(Provider.GITLAB, "Merge Request Hook", new byte[0]).push()).isFalse();
        assertThat(PushEvent.parse(Provider.GITEA, null, new byte[0]).push()).isFalse();
        assertThat(PushEvent.parse(Provider.BITBUCKET, "diagnostics:ping", new byte[0]).push()).isFalse();
        assertThat(PushEvent.parse(Provider.GENERIC, "release", new byte[0]).push()).isFalse();
    }

    @Test
    void aGenericDeliveryWithoutARefFetchesWhateverIsFollowed() {
        assertThat(PushEvent.parse(Provider.GENERIC, null, new byte[0]).moves(MAIN)).isTrue();
        assertThat(PushEvent.parse(Provider.GENERIC, "push", "{}".getBytes(StandardCharsets.UTF_8)).moves(MAIN)).isTrue();
        assertThat(PushEvent.parse(Provider.GENERIC, null, "{\"branch\": \"dev\"}".getBytes(StandardCharsets.UTF_8))
                .moves(MAIN)).isFalse();
    }

    @Test
    void aPushThatIsNotJsonSaysSo() {
        assertThatThrownBy(() -> PushEvent.parse(Provider.GITHUB, "push", "ref=main".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> PushEvent.parse(Provider.GITEA, "push", "{}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no \"ref\"");
    }

    static byte[] payload(String name) {
        try (InputStream in = PushEventTest.class.getResourceAsStream("/webhooks/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test payload " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
