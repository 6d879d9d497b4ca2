package io.tributary.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a SQL script is written: a file of the config repository, and the line and column its first
 * character is at (1 and 1 for a file of its own; an inline script's lines are indented in its YAML file).
 */
public record SqlOrigin(String file, int firstLine, int firstColumn) {
    /** How the SQL runner names a place in the script ("line 4, column 27: ..."). */
    private static final Pattern SCRIPT_POSITION = Pattern.compile("line (\\d{1,9}), column (\\d{1,9})");

    /** A script that is a file of its own. */
    public static SqlOrigin ofFile(String file) {
        return new SqlOrigin(file, 1, 1);
    }

    /** The file line of a line of the script (1-based). */
    public int fileLine(int scriptLine) {
        return firstLine + Math.max(scriptLine, 1) - 1;
    }

    /** The file column of a column of the script (1-based): a literal block's lines share one indentation. */
    public int fileColumn(int scriptColumn) {
        return firstColumn + Math.max(scriptColumn, 1) - 1;
    }

    /**
     * A message of the SQL runner with its script positions moved to where the script is written: each
     * "line L, column C" becomes the file's line and column, and the first is named with the file
     * ("sql/orders.sql line 54, column 3: ..."; an inline script's lines are its YAML file's). A message
     * without a position is returned as it is.
     */
    public String locate(String message) {
        return moved(message, true);
    }

    /** As {@link #locate}, for a message whose caller names the file and position already. */
    public String positionsInFile(String message) {
        return moved(message, false);
    }

    private String moved(String message, boolean nameFile) {
        Matcher matcher = SCRIPT_POSITION.matcher(message);
        StringBuilder text = new StringBuilder();
        boolean first = nameFile;
        while (matcher.find()) {
            String position = "line " + fileLine(Integer.parseInt(matcher.group(1))) + ", column "
                    + fileColumn(Integer.parseInt(matcher.group(2)));
            matcher.appendReplacement(text, Matcher.quoteReplacement(first ? file + " " + position : position));
            first = false;
        }
        matcher.appendTail(text);
        return text.toString();
    }
}
