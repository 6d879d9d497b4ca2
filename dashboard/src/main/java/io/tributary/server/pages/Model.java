package io.tributary.server.pages;

import io.tributary.server.GitVsRunning;
import io.tributary.server.api.ApplicationsApi.OverrideView;
import io.tributary.store.AppEvent;
import io.tributary.store.AuditEvent;
import io.tributary.store.Deployment;
import io.tributary.store.Operation;
import io.tributary.store.SavepointRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What the templates show: plain values read once per request, so a template never touches the store. */
final class Model {
    private Model() {}

    /** The frame around every page: title, the active navigation entry, who is logged in, a flash message. */
    /**
     * What every page shows around its content.
     *
     * @param stalled why the config source is Stalled (Git's newest revision is not applied), else null
     */
    record Chrome(String title, String nav, String user, String csrf, Flash flash, String stalled, Instant now) {}

    /** A one-time message after a form post: {@code kind} is ok or error. */
    record Flash(String kind, String text) {}

    /** One application as a row of the overview, and the head of its own page. */
    record AppRow(long id, String team, String name, boolean inGit, String sync, String health, String jobState,
            String mode, String cluster, String revision, String message, String savepointPath, Instant savepointAt,
            OverrideView override, String webUi) {
        String key() {
            return team + "/" + name;
        }

        /** The override as a tag: "pinned suspended", "sync paused", or both; how a stop goes, if it says. */
        String overrideWhat() {
            List<String> how = new ArrayList<>();
            if (override.drain()) {
                how.add("drain");
            }
            if (override.cancelIfSavepointFails()) {
                how.add("cancel if the savepoint fails");
            }
            String pin = override.pinnedState() == null ? null : "pinned " + override.pinnedState()
                    + (how.isEmpty() ? "" : " (" + String.join(", ", how) + ")");
            if (pin != null && override.syncPaused()) {
                return pin + ", sync paused";
            }
            return pin != null ? pin : "sync paused";
        }

        String href() {
            return "/apps/" + team + "/" + name;
        }

        boolean overridden() {
            return override != null;
        }
    }

    /** The overview's cards: every app is in All and in the card of its health, and maybe OutOfSync and Overridden. */
    record Counts(int all, int healthy, int progressing, int degraded, int unknown, int missing, int suspended,
            int outOfSync, int overridden) {
        /** The health counts that are not zero, in the overview's order: {@code Healthy=3, Degraded=1}. */
        public List<Map.Entry<String, Integer>> healths() {
            return java.util.stream.Stream.of(Map.entry("Healthy", healthy), Map.entry("Progressing", progressing),
                    Map.entry("Degraded", degraded), Map.entry("Unknown", unknown), Map.entry("Missing", missing),
                    Map.entry("Suspended", suspended)).filter(e -> e.getValue() > 0).toList();
        }
    }

    /** @param declared how many applications the applied revision declares, visible to the caller or not */
    record Overview(Chrome chrome, List<AppRow> rows, Counts counts, List<String> teams, String team, String query,
            String status, int declared) {
        boolean filtered() {
            return team != null || query != null || status != null;
        }

        /** The team and search filters as query parameters, kept by the counts' links. */
        String filter() {
            return Fmt.filter(team, query);
        }
    }

    record FlinkExceptions(String root, Instant at, List<String> history, String unavailable) {}

    /**
     * Which override buttons the caller may use; {@code hasJob}: the app's last job is known, maybe
     * failed (a stop then keeps it from being restarted); {@code running}: that job is alive.
     */
    record Controls(boolean stop, boolean start, boolean restart, boolean savepoint, boolean sync, boolean hasJob,
            boolean running, boolean paused, boolean overridden) {
        boolean any() {
            return stop || start || restart || savepoint || sync;
        }
    }

    record AppPage(Chrome chrome, AppRow app, String spec, String sql, GitVsRunning.Drift drift, List<Deployment> deployments,
            List<SavepointRecord> savepoints, List<AppEvent> events, List<Operation> operations,
            List<AuditEvent> audit, FlinkExceptions exceptions, String logPath, String logTail, Controls controls) {}

    record ClusterRow(String name, String team, String mode, boolean managed, String flinkVersion, String state,
            String address, String webUi, Integer taskManagers, Integer slotsTotal, Integer slotsAvailable,
            String detail) {}

    record VersionRow(String name, String version, String home, boolean isDefault) {}

    record ClustersPage(Chrome chrome, List<ClusterRow> clusters, List<VersionRow> versions) {}

    record Member(String user, String displayName, String role) {}

    /** A team with its members and how its applications are, by health (as the overview counts them). */
    record TeamRow(String name, String description, List<Member> members, Counts apps) {}

    record UserRow(String name, String displayName, String email, boolean platformAdmin) {}

    record TeamsPage(Chrome chrome, List<TeamRow> teams, List<UserRow> users) {}

    /** A variable as shown: {@code value} is null for a secret, whose source is named instead. */
    record VariableRow(String name, String team, String value, boolean secret, String secretSource,
            String description) {}

    record VariablesPage(Chrome chrome, List<VariableRow> variables) {}

    record SyncPage(Chrome chrome, String condition, String reason, String source, String appliedRevision,
            String fetchedRevision, String fetchedMessage, Instant lastFetch, Instant lastAttempt, List<String> errors,
            boolean leader, boolean maySync) {}

    /** @param app the {@code team/name} filter, or null; {@code actor} likewise */
    record AuditPage(Chrome chrome, List<AuditEvent> entries, String app, String actor) {
        boolean filtered() {
            return app != null || actor != null;
        }
    }

    /** {@code app}: the app whose history is shown, or null for every alert the caller may view. */
    record AlertsPage(Chrome chrome, int policies, int channelCount, String app,
            List<io.tributary.server.alerts.Alerts.ChannelView> channels,
            List<io.tributary.server.alerts.Alerts.AlertView> alerts, long total) {

        List<io.tributary.server.alerts.Alerts.ChannelView> failing() {
            return channels.stream().filter(c -> c.failing() || c.unusable() != null).toList();
        }
    }

    /**
     * {@code created}: the secret of a token just created, shown this once; {@code ownersGone}: owners of
     * listed tokens who are no longer users in Git, whose tokens are refused.
     */
    record TokensPage(Chrome chrome, List<io.tributary.server.auth.ApiTokens.Token> tokens, String createdName,
            String createdSecret, Set<String> ownersGone) {}

    /** {@code error}: null, "throttled" after too many attempts, anything else after a wrong password. */
    /** {@code passwordSet}: the user just chose a password through a first-login link. */
    record LoginPage(String next, String error, boolean passwordSet, Instant now) {}

    /**
     * A first-login link's page: {@code path} is where its form posts, {@code error} why the last post
     * failed ({@code weak}, {@code differ} or {@code spent}; anything else is ignored).
     */
    record PasswordPage(String path, String error, int minLength) {}

    record ErrorPage(Chrome chrome, int status, String message) {}
}
