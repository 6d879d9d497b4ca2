package io.tributary.server;

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
