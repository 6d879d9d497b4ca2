package io.tributary.store;

/** JDBC URLs as they may be logged or printed: a password in them masked. */
public final class JdbcUrls {
    private JdbcUrls() {}

    /** The URL with a password parameter ({@code ?password=...}) or user-info password ({@code user:password@}) masked. */
    public static String masked(String url) {
        if (url == null) {
            return null;
        }
        return url.replaceAll("(?i)([?&;]password=)[^&;]*", "$1****")
                .replaceAll("(//[^/@:?]*:)[^/@]*@", "$1****@");
    }
}
