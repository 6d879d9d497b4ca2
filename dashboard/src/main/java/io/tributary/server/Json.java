package io.tributary.server;

import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Type;

/** Javalin's JSON through the Jackson 3 the rest of Tributary uses (its dates are ISO-8601 text by default). */
public final class Json implements JsonMapper {
    public static final tools.jackson.databind.json.JsonMapper MAPPER = tools.jackson.databind.json.JsonMapper.builder().build();

    /**
     * Answers with JSON already written to bytes, in one write with its length: through {@code ctx.result}
     * Javalin copies it piece by piece through its compression stream, and a list page of 30 KB is then
     * several writes to the socket. Such answers are not compressed.
     */
    public static void answer(Context ctx, byte[] json) {
        ctx.contentType("application/json");
        ctx.res().setContentLength(json.length);
        try {
            ctx.res().getOutputStream().write(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The request's JSON body as {@code type}; null for an empty body or a JSON null. A body that is
     * not such JSON answers 400 with {@code expected} (the shape wanted); a charset the service does not
     * know fails in reading the text, before any parse, and the API's error handler answers it 415.
     */
    public static <T> T body(Context ctx, Class<T> type, String expected) {
        if (ctx.body().isBlank()) {
            return null;
        }
        T request;
        try {
            request = ctx.bodyAsClass(type);
        } catch (RuntimeException e) {
            throw new BadRequestResponse(expected);
        }
        // a misspelt field would be dropped without a word (a token meant to expire that never does)
        if (type.isRecord() && MAPPER.readTree(ctx.body()) instanceof tools.jackson.databind.node.ObjectNode fields) {
            java.util.Set<String> known = java.util.Arrays.stream(type.getRecordComponents())
                    .map(java.lang.reflect.RecordComponent::getName).collect(java.util.stream.Collectors.toSet());
            fields.propertyNames().stream().filter(name -> !known.contains(name)).findFirst().ifPresent(name -> {
                throw new BadRequestResponse("unknown field \"" + name + "\"; " + expected);
            });
        }
        return request;
    }

    @Override
    public String toJsonString(Object obj, Type type) {
        return MAPPER.writeValueAsString(obj);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T fromJsonString(String json, Type targetType) {
        return (T) MAPPER.readValue(json, MAPPER.constructType(targetType));
    }
}
