package io.tributary.config;

/** Where a SQL script is written: a file of the config repository and the line its first line is on. */
public record SqlOrigin(String file, int firstLine) {
    /** The file line of a line of the script (1-based). */
    public int fileLine(int scriptLine) {
        return firstLine + Math.max(scriptLine, 1) - 1;
    }
}
