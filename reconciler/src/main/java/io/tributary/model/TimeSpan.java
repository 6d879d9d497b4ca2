package io.tributary.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A duration as users write it ({@code 500ms}, {@code 30s}, {@code 10m}, {@code 2h}, {@code 7d}), text kept. */
public record TimeSpan(String text, Duration duration) {
    /** The form the schemas accept; kept in one place with the parser. */
    public static final String PATTERN = "^[0-9]+(ms|s|m|h|d)$";

    private static final Pattern FORM = Pattern.compile(PATTERN);

    @JsonCreator
    public static TimeSpan parse(String text) {
        Matcher m = FORM.matcher(text == null ? "" : text);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "\"" + text + "\" is not a duration: write a whole number and a unit, e.g. 500ms, 30s, 10m, 2h, 7d");
        }
        long amount;
        try {
            amount = Long.parseLong(text.substring(0, text.length() - m.group(1).length()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + text + "\" is too large for a duration");
        }
        Duration duration = switch (m.group(1)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
        return new TimeSpan(text, duration);
    }

    @JsonValue
    @Override
    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }
}
