package io.tributary.server.api;

import io.javalin.http.Context;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Query and path parameters, checked: a wrong one is a 400 problem that names the parameter and what
 * it may be, never a stack trace or an empty list that hides the typo.
 */
public final class Params {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;
    /** Names of teams, apps, clusters (config-format.md's metadata.name). */
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
    private static final int MAX_NAME = 63;
    private static final int MAX_SEARCH = 100;

    private Params() {}

    /** {@code ?limit=} (1..500, default 50) and {@code ?offset=} (0 or more, default 0). */
    public record Paging(int limit, long offset) {
        public <T> List<T> slice(List<T> all) {
            if (offset >= all.size()) {
                return List.of();
            }
            return all.subList((int) offset, (int) Math.min(all.size(), offset + limit));
        }
    }

    public static Paging paging(Context ctx) {
        int limit = (int) integer(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        long offset = integer(ctx, "offset", 0, 0, Long.MAX_VALUE / 2);
        return new Paging(limit, offset);
    }

    private static long integer(Context ctx, String name, long otherwise, long min, long max) {
        String text = ctx.queryParam(name);
        if (text == null || text.isEmpty()) {
            return otherwise;
        }
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw Problem.badParameter(name, name + " must be a whole number " + range(min, max) + ", not \""
                    + shown(text) + "\"");
        }
        if (value < min || value > max) {
            throw Problem.badParameter(name, name + " must be " + range(min, max) + ", not " + value);
        }
        return value;
    }

    private static String range(long min, long max) {
        return max >= Long.MAX_VALUE / 2 ? min + " or more" : "from " + min + " to " + max;
    }

    /** An optional query parameter that must be one of {@code allowed}; null when absent. */
    static String oneOf(Context ctx, String name, List<String> allowed) {
        String text = ctx.queryParam(name);
        if (text == null || text.isEmpty()) {
            return null;
        }
        if (!allowed.contains(text)) {
            throw Problem.badParameter(name, name + " must be one of " + String.join(", ", allowed) + ", not \""
                    + shown(text) + "\"");
        }
        return text;
    }

    /** An optional query parameter naming a team, app or cluster; null when absent. */
    public static String name(Context ctx, String name) {
        String text = ctx.queryParam(name);
        if (text == null || text.isEmpty()) {
            return null;
        }
        return checkName(name, text);
    }

    /** {@code ?app=team/name}; null when absent. */
    public static String app(Context ctx) {
        String text = ctx.queryParam("app");
        if (text == null || text.isEmpty()) {
            return null;
        }
        String[] parts = text.split("/", -1);
        if (parts.length != 2 || !valid(parts[0]) || !valid(parts[1])) {
            throw Problem.badParameter("app", "app must be team/name, each part lowercase letters, digits, '-'"
                    + " and '.', such as payments/orders-enrichment, not \"" + shown(text) + "\"");
        }
        return text;
    }

    /** A path parameter naming a team, app or cluster. */
    public static String pathName(Context ctx, String name) {
        return checkName(name, ctx.pathParam(name));
    }

    private static String checkName(String parameter, String text) {
        if (!valid(text)) {
            throw Problem.badParameter(parameter, parameter + " must be a name of lowercase letters, digits, '-' and"
                    + " '.' (at most " + MAX_NAME + "), starting and ending with a letter or digit, not \"" + shown(text)
                    + "\"");
        }
        return text;
    }

    private static boolean valid(String text) {
        return text != null && text.length() <= MAX_NAME && NAME.matcher(text).matches();
    }

    /** {@code ?q=}: a part of the name to search for, any case; null when absent. */
    static String search(Context ctx) {
        String text = ctx.queryParam("q");
        if (text == null || text.isBlank()) {
            return null;
        }
        if (text.length() > MAX_SEARCH) {
            throw Problem.badParameter("q", "q is at most " + MAX_SEARCH + " characters, not " + text.length());
        }
        return text.strip().toLowerCase(java.util.Locale.ROOT);
    }

    /** {@code ?since=}: an ISO-8601 instant such as 2026-11-26T10:00:00Z; null when absent. */
    public static Instant since(Context ctx) {
        String text = ctx.queryParam("since");
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw Problem.badParameter("since", "since must be an ISO-8601 UTC time such as 2026-11-26T10:00:00Z,"
                    + " not \"" + shown(text) + "\"");
        }
    }

    /** A parameter's value as it may be echoed: short, printable. */
    static String shown(String text) {
        String printable = text.codePoints().map(c -> c < 0x20 || c == 0x7f ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return printable.length() > 80 ? printable.substring(0, 80) + "..." : printable;
    }
}
