package io.tributary.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.model.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The schemas are documentation as much as validation: every field described, no field unchecked. */
class SchemaFilesTest {
    private final SchemaValidator schemas = new SchemaValidator();

    @Test
    void everyKindHasAStableIdAndEveryFieldADescription() {
        List<String> problems = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            JsonNode schema = schemas.rawSchema(kind.schemaFile());
            assertThat(schema.get("$id").asString()).isEqualTo(SchemaValidator.ID_PREFIX + kind.schemaFile());
            walk(kind.schemaFile(), "", schema, problems);
        }
        walk("common.json", "", schemas.rawSchema("common.json"), problems);
        assertThat(problems).isEmpty();
    }

    private static void walk(String file, String path, JsonNode node, List<String> problems) {
        if (node.isObject()) {
            if (node.has("properties")) {
                if (!node.has("additionalProperties") || node.get("additionalProperties").asBoolean(true)) {
                    problems.add(file + path + ": an object schema without additionalProperties: false");
                }
                for (Map.Entry<String, JsonNode> property : node.get("properties").properties()) {
                    if (!property.getValue().has("description")) {
                        problems.add(file + path + "/properties/" + property.getKey() + ": no description");
                    }
                }
            }
            for (Map.Entry<String, JsonNode> child : node.properties()) {
                walk(file, path + "/" + child.getKey(), child.getValue(), problems);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(file, path + "/" + i, node.get(i), problems);
            }
        }
    }
}
