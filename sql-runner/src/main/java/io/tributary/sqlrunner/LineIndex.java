package io.tributary.sqlrunner;

import java.util.Arrays;

/**
 * Turns character offsets into line and column. A line ends at {@code \n}, {@code \r\n} or a lone
 * {@code \r}, as in the editors scripts are written in; columns count UTF-16 chars, as Calcite does.
 */
final class LineIndex {

    private final int[] lineStarts;

    private LineIndex(int[] lineStarts) {
        this.lineStarts = lineStarts;
    }

    static LineIndex of(String text) {
        int[] starts = new int[16];
        int count = 1; // line 1 starts at offset 0
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean lineBreak = c == '\n' || (c == '\r' && (i + 1 == text.length() || text.charAt(i + 1) != '\n'));
            if (lineBreak) {
                if (count == starts.length) {
                    starts = Arrays.copyOf(starts, count * 2);
                }
                starts[count++] = i + 1;
            }
        }
        return new LineIndex(Arrays.copyOf(starts, count));
    }

    Position at(int offset) {
        int found = Arrays.binarySearch(lineStarts, offset);
        int line = found >= 0 ? found : -found - 2; // the last line starting at or before offset
        return new Position(line + 1, offset - lineStarts[line] + 1);
    }

    int lineCount() {
        return lineStarts.length;
    }
}
