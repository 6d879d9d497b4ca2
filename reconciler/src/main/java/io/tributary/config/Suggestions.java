package io.tributary.config;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/** "did you mean" hints: the closest candidate within a small edit distance. */
final class Suggestions {
    private Suggestions() {}

    static Optional<String> closest(String wrong, Collection<String> candidates) {
        if (wrong == null || wrong.isEmpty()) {
            return Optional.empty();
        }
        int allowed = Math.max(1, Math.min(3, (wrong.length() + 2) / 3));
        return candidates.stream()
                .filter(c -> !c.equals(wrong))
                .map(c -> new Scored(c, distance(wrong.toLowerCase(), c.toLowerCase())))
                .filter(s -> s.distance <= allowed)
                .min(Comparator.comparingInt(Scored::distance).thenComparing(Scored::candidate))
                .map(Scored::candidate);
    }

    /** {@code "; did you mean \"local\"?"} or nothing. */
    static String hint(String wrong, Collection<String> candidates) {
        return closest(wrong, candidates).map(c -> "; did you mean \"" + c + "\"?").orElse("");
    }

    private record Scored(String candidate, int distance) {}

    /** Optimal string alignment distance: Levenshtein plus adjacent transpositions ("lcoal"). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
