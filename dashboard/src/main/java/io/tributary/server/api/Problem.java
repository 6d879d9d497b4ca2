package io.tributary.server.api;

/**
 * An error of the API as the caller sees it (RFC 9457 problem details): thrown by a handler, written as
 * {@code application/problem+json} by {@link Problems}. {@code detail} says what is wrong and how to fix it.
 */
public final class Problem extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String title;

    Problem(int status, String title, String detail) {
        super(detail);
        this.status = status;
        this.title = title;
    }

    /** 400: a parameter is wrong; {@code detail} names it and what it may be. */
    public static Problem badParameter(String name, String detail) {
        return new Problem(400, "Bad parameter " + name, detail);
    }

    /** 404: nothing there, or nothing the caller may see (the API does not tell the two apart). */
    public static Problem notFound(String detail) {
        return new Problem(404, "Not found", detail);
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return getMessage();
    }
}
