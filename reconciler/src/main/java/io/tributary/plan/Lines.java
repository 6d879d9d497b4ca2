package io.tributary.plan;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** How two texts differ by lines, as people count it in a review: {@code 2 lines added, 1 removed}. */
final class Lines {
    /** Above this many line pairs the lines are counted as a multiset rather than aligned (a rough count). */
    private static final long ALIGNED = 4_000_000L;

    private Lines() {}

    static String describe(String before, String after) {
        List<String> a = before.lines().toList();
        List<String> b = after.lines().toList();
        int common = (long) a.size() * b.size() <= ALIGNED ? longestCommon(a, b) : shared(a, b);
        int added = b.size() - common;
        int removed = a.size() - common;
        if (added == 0 && removed == 0) {
            return "only line endings changed";
        }
        if (removed == 0) {
            return count(added) + " added";
        }
        if (added == 0) {
            return count(removed) + " removed";
        }
        return count(added) + " added, " + removed + " removed";
    }

    private static String count(int n) {
        return n + (n == 1 ? " line" : " lines");
    }

    /** The length of the longest common subsequence of lines: the lines a diff keeps. */
    static int longestCommon(List<String> a, List<String> b) {
        int[] previous = new int[b.size() + 1];
        int[] row = new int[b.size() + 1];
        for (int i = 1; i <= a.size(); i++) {
            for (int j = 1; j <= b.size(); j++) {
                row[j] = a.get(i - 1).equals(b.get(j - 1)) ? previous[j - 1] + 1 : Math.max(previous[j], row[j - 1]);
            }
            int[] swap = previous;
            previous = row;
            row = swap;
        }
        return previous[b.size()];
    }

    /** Lines in both, counted with repetition, whatever their order. */
    private static int shared(List<String> a, List<String> b) {
        Map<String, Integer> counts = new HashMap<>();
        a.forEach(line -> counts.merge(line, 1, Integer::sum));
        int common = 0;
        for (String line : b) {
            Integer left = counts.get(line);
            if (left != null && left > 0) {
                counts.put(line, left - 1);
                common++;
            }
        }
        return common;
    }
}
