package io.tributary.server.api;

import io.javalin.http.Context;
import io.tributary.server.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * The OpenAPI 3.1 document of every {@code /api/v1} and {@code /flink} route, kept in one file
 * ({@value #RESOURCE}) and served as it is at {@code GET /api/v1/openapi.json}. A test compares its
 * paths with the routes the service registers, so neither can drift from the other.
 */
public final class OpenApi {
    static final String RESOURCE = "/tributary/openapi.json";

    private final byte[] document;
    private final JsonNode tree;

    private OpenApi(byte[] document) {
        this.document = document;
        this.tree = Json.MAPPER.readTree(document);
    }

    public static OpenApi load() {
        try (InputStream in = OpenApi.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the service's jar; rebuild it");
            }
            return new OpenApi(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    void serve(Context ctx) {
        ctx.contentType("application/json").result(document);
    }

    /** Every documented path with its methods in upper case, such as {@code /api/v1/sync -> [GET, POST]}. */
    public Map<String, Set<String>> operations() {
        Map<String, Set<String>> operations = new TreeMap<>();
        JsonNode paths = tree.path("paths");
        for (String path : paths.propertyNames()) {
            Set<String> methods = new TreeSet<>();
            for (Iterator<String> it = paths.path(path).propertyNames().iterator(); it.hasNext();) {
                methods.add(it.next().toUpperCase(Locale.ROOT));
            }
            operations.put(path, methods);
        }
        return operations;
    }
}
