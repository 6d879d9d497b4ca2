package io.tributary.server;

import io.javalin.json.JsonMapper;
import java.lang.reflect.Type;

/** Javalin's JSON through the Jackson 3 the rest of Tributary uses (its dates are ISO-8601 text by default). */
public final class Json implements JsonMapper {
    public static final tools.jackson.databind.json.JsonMapper MAPPER = tools.jackson.databind.json.JsonMapper.builder().build();

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
