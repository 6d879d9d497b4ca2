package io.tributary.store;

import java.util.Arrays;
import java.util.stream.Collectors;

/** JDBC URLs as they may be shown: a password given as a URL parameter is left out. */
final class JdbcUrls {
    private JdbcUrls() {}

    static String withoutPassword(String url) {
        if (url == null) {
            return null;
        }
        int query = url.indexOf('?');
        if (query < 0) {
            return url;
        }
        String kept = Arrays.stream(url.substring(query + 1).split("&"))
                .filter(p -> !p.isEmpty() && !p.toLowerCase(java.util.Locale.ROOT).startsWith("password="))
                .collect(Collectors.joining("&"));
        return kept.isEmpty() ? url.substring(0, query) : url.substring(0, query + 1) + kept;
    }
}
