package io.tributary.cli;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What applying a head revision would do, in words for a pull request: one item per application
 * and managed cluster that changes, and how many stay as they are.
 *
 * @param base what the head is compared with: a revision name, or the server and the revision it applied
 * @param head the revision (or working tree) planned
 * @param server the service asked for the live state; null for a comparison of two revisions
 */
record PlanReport(String base, String head, String server, List<ClusterItem> clusters, List<AppItem> apps,
        int unchanged) {

    private static final Pattern LONG_HASH = Pattern.compile("(sha1|sha256):([0-9a-f]{7})[0-9a-f]+");

    PlanReport {
        clusters = List.copyOf(clusters);
        apps = List.copyOf(apps);
    }

    /** What happens to one application; the JSON's {@code action} is {@link #key}. */
    enum Change {
        CREATE("create", "+"),
        UPGRADE("upgrade", "~"),
        SUSPEND("suspend", "~"),
        RESUME("resume", "~"),
        DELETE("delete", "-"),
        /** Removed from Git with {@code prune: false}: Tributary lets go of it and it keeps running. */
        KEEP("keep", "-"),
        /** The spec changed while the app stays suspended: nothing runs now, the change applies on resume. */
        UPDATE("update", "~"),
        /** Another cluster in Git: stopped with a savepoint where it runs, resumed from it on the new one. */
        MOVE("move", "~"),
        /** A job that failed is started again (server mode). */
        RESTART("restart", "~"),
        /** An app the service knows but runs no job for, started afresh (server mode). */
        START("start", "+"),
        /** The app differs from Git but the service will not act now (paused, busy, backing off). */
        NONE("none", "!");

        final String key;
        final String marker;

        Change(String key, String marker) {
            this.key = key;
            this.marker = marker;
        }
    }

    /**
     * @param mode how: the upgrade mode for upgrades ({@code savepoint-or-stateless} with the fallback), how the
     *     job stops for suspends and moves ({@code savepoint}, {@code savepoint-or-cancel}, {@code last-state}),
     *     {@code final-savepoint} or {@code no-savepoint}
     *     for deletes, {@code suspended} for an app created suspended, {@code from-savepoint} or
     *     {@code from-application} for one created from {@code spec.restore}; null when there is no choice
     * @param reasons why, e.g. {@code job.sql changed}, {@code variable kafka_brokers changed}
     */
    record AppItem(String app, Change change, String mode, List<String> reasons) {
        AppItem {
            reasons = List.copyOf(reasons);
        }

        /** {@code upgrade (savepoint)}, {@code delete (final savepoint first)}: for people. */
        String label() {
            String how = switch (change) {
                case UPGRADE -> "savepoint-or-stateless".equals(mode) ? "savepoint, stateless if it fails" : mode;
                case SUSPEND, MOVE -> switch (mode) {
                    case "savepoint" -> "with savepoint";
                    case "savepoint-or-cancel" -> "with savepoint, cancelled if it fails";
                    default -> mode;
                };
                case RESUME -> "from savepoint";
                case DELETE -> "final-savepoint".equals(mode) ? "final savepoint first" : "no savepoint";
                case CREATE -> "suspended".equals(mode) ? "suspended, not started"
                        : "from-savepoint".equals(mode) ? "from spec.restore.savepoint"
                        : "from-application".equals(mode) ? "from spec.restore.application" : null;
                case KEEP -> "prune: false";
                case UPDATE -> "applies on resume";
                default -> null;
            };
            String what = change == Change.KEEP ? "kept running" : change == Change.UPDATE ? "changed while suspended"
                    : change == Change.NONE ? "no action" : change.key;
            return how == null ? what : what + " (" + how + ")";
        }
    }

    /** What happens to a managed cluster: {@code start}, {@code stop} or {@code restart} (moving {@code apps}). */
    record ClusterItem(String cluster, String action, List<String> reasons, List<String> apps) {
        ClusterItem {
            reasons = List.copyOf(reasons);
            apps = List.copyOf(apps);
        }

        String marker() {
            return switch (action) {
                case "start" -> "+";
                case "stop" -> "-";
                default -> "~";
            };
        }
    }

    /** How many items of each change, every change listed (zeros too), in the enum's order. */
    Map<Change, Integer> counts() {
        Map<Change, Integer> counts = new TreeMap<>();
        for (Change c : Change.values()) {
            counts.put(c, 0);
        }
        apps.forEach(a -> counts.merge(a.change(), 1, Integer::sum));
        return counts;
    }

    /** {@code main@sha1:3f2a9c1} for {@code main@sha1:3f2a9c1...}: revisions as people read them. */
    static String shorten(String label) {
        return LONG_HASH.matcher(label).replaceAll("$1:$2");
    }

    boolean empty() {
        return apps.isEmpty() && clusters.isEmpty();
    }

    /**
     * {@code 3 to create, 1 to upgrade, 0 to suspend, 0 to resume, 1 to delete, 12 unchanged}, then
     * the rarer changes only when there are any, then the clusters' when there are any.
     */
    String summary() {
        Map<Change, Integer> n = counts();
        StringBuilder out = new StringBuilder();
        out.append(n.get(Change.CREATE)).append(" to create, ")
                .append(n.get(Change.UPGRADE)).append(" to upgrade, ")
                .append(n.get(Change.SUSPEND)).append(" to suspend, ")
                .append(n.get(Change.RESUME)).append(" to resume, ")
                .append(n.get(Change.DELETE)).append(" to delete, ")
                .append(unchanged).append(" unchanged");
        appendIf(out, n.get(Change.MOVE), " to move to another cluster");
        appendIf(out, n.get(Change.START), " to start");
        appendIf(out, n.get(Change.RESTART), " to restart");
        appendIf(out, n.get(Change.UPDATE), " changed while suspended");
        appendIf(out, n.get(Change.KEEP), " removed but kept running (prune: false)");
        appendIf(out, n.get(Change.NONE), " out of sync with no action");
        if (!clusters.isEmpty()) {
            out.append("; clusters: ")
                    .append(clusterCount("start")).append(" to start, ")
                    .append(clusterCount("restart")).append(" to restart, ")
                    .append(clusterCount("stop")).append(" to stop");
        }
        return out.toString();
    }

    long clusterCount(String action) {
        return clusters.stream().filter(c -> c.action().equals(action)).count();
    }

    private static void appendIf(StringBuilder out, int count, String what) {
        if (count > 0) {
            out.append(", ").append(count).append(what);
        }
    }
}
