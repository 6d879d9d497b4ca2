package io.tributary.config;

/** A place in a text file, 1-based. */
record Position(int line, int column) {
    static final Position START = new Position(1, 1);
}
