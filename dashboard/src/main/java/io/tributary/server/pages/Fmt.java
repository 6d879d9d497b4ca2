package io.tributary.server.pages;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Small formatting helpers the templates call: ages, times, sizes, revisions, badge colours. */
final class Fmt {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private Fmt() {}

    static String time(Instant at) {
        return at == null ? "" : TIME.format(at);
    }

    /** ISO-8601 for {@code <time datetime>}. */
    static String iso(Instant at) {
        return at == null ? "" : at.toString();
    }

    /** "12s", "5m", "3h", "2d" ago; empty when unknown. */
    /** Whether a restore point is a retained checkpoint ({@code .../chk-42}) rather than a savepoint. */
    static boolean isCheckpoint(String path) {
        return io.tributary.plan.AppObservation.KeptSavepoint.isCheckpointPath(path);
    }

    /** A Flink stack trace in one line: see {@link io.tributary.flink.FlinkRest.JobExceptions#cause}. */
    static String cause(String stacktrace) {
        return io.tributary.flink.FlinkRest.JobExceptions.cause(stacktrace);
    }

    /** Seconds from {@code at} to {@code now}, never negative: what a page's ages count on from (tributary.js). */
    static long ageSeconds(Instant at, Instant now) {
        return Math.max(0, Duration.between(at, now).getSeconds());
    }

    static String age(Instant at, Instant now) {
        if (at == null) {
            return "";
        }
        long s = ageSeconds(at, now);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m";
        }
        if (s < 86400) {
            return (s / 3600) + "h " + (s % 3600 / 60) + "m";
        }
        return (s / 86400) + "d " + (s % 86400 / 3600) + "h";
    }

    /** {@code main@sha1:0123456789abcdef...} shown as {@code main@0123456}. */
    static String shortRevision(String revision) {
        if (revision == null) {
            return "";
        }
        int at = revision.indexOf('@');
        int colon = revision.indexOf(':', Math.max(at, 0));
        if (at < 0 || colon < 0 || revision.length() < colon + 8) {
            return revision;
        }
        return revision.substring(0, at) + "@" + revision.substring(colon + 1, colon + 8);
    }

    static String shortHash(String hash) {
        return hash == null ? "" : hash.length() > 12 ? hash.substring(0, 12) : hash;
    }

    static String bytes(Long size) {
        if (size == null || size <= 0) {
            return "";
        }
        if (size < 1024) {
            return size + " B";
        }
        double kb = size / 1024.0;
        if (kb < 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", kb);
        }
        double mb = kb / 1024.0;
        if (mb < 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", mb);
        }
        return String.format(Locale.ROOT, "%.2f GiB", mb / 1024.0);
    }

    /** The last path element, for a long savepoint path in a narrow cell (the full path is its title). */
    static String tail(String path) {
        if (path == null) {
            return "";
        }
        String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        int slash = trimmed.lastIndexOf('/');
        return slash < 0 ? trimmed : trimmed.substring(slash + 1);
    }

    /**
     * The colour class of a status word: ok (green), warn (amber), bad (red), busy (blue), idle (grey).
     * The word itself is always shown beside the colour.
     */
    static String tone(String status) {
        if (status == null) {
            return "idle";
        }
        return switch (status) {
            case "Healthy", "Synced", "RUNNING", "Ready", "done", "kept", "info", "succeeded" -> "ok";
            case "OutOfSync", "Suspended", "SUSPENDED", "CANCELED", "CANCELLING", "FINISHED", "warning",
                    "Reconciling", "rolled-back", "canceled" -> "warn";
            case "Degraded", "Missing", "FAILED", "FAILING", "LOST", "Stalled", "failed", "error" -> "bad";
            case "Progressing", "CREATED", "RESTARTING", "INITIALIZING", "RECONCILING", "open", "queued",
                    "running" -> "busy";
            default -> "idle";
        };
    }

    static String url(String text) {
        return URLEncoder.encode(text == null ? "" : text, StandardCharsets.UTF_8);
    }

    /** {@code &team=..&q=..} for the filters that are set; empty when none is. */
    static String filter(String team, String query) {
        return (team == null || team.isBlank() ? "" : "&team=" + url(team))
                + (query == null || query.isBlank() ? "" : "&q=" + url(query));
    }

    private static final java.util.regex.Pattern BUILD_LOG =
            java.util.regex.Pattern.compile("log: (/projects/[a-z0-9][-a-z0-9.]*/[a-z0-9][-a-z0-9.]*/builds/[0-9]+)");

    /** The build page a status message points at ("...; log: /projects/t/p/builds/12"), or null. */
    static String buildLog(String message) {
        if (message == null) {
            return null;
        }
        java.util.regex.Matcher m = BUILD_LOG.matcher(message);
        return m.find() ? m.group(1) : null;
    }

    static String orDash(String text) {
        return text == null || text.isBlank() ? "—" : text;
    }
}
