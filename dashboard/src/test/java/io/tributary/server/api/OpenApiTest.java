package io.tributary.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.server.Json;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The OpenAPI document holds together: every reference names a schema it defines, every path
 * parameter of a route is declared, every operation says what it answers. (That every route the
 * service registers is in it is checked against a running service in ApiIT.)
 */
class OpenApiTest {
    private static JsonNode document() throws Exception {
        try (InputStream in = OpenApi.class.getResourceAsStream(OpenApi.RESOURCE)) {
            return Json.MAPPER.readTree(in);
        }
    }

    @Test
    void everyReferenceNamesADefinedSchema() throws Exception {
        JsonNode doc = document();
        Matcher refs = Pattern.compile("\"\\$ref\":\"#/components/schemas/([^\"]+)\"").matcher(doc.toString());
        List<String> missing = new ArrayList<>();
        while (refs.find()) {
            if (!doc.path("components").path("schemas").has(refs.group(1))) {
                missing.add(refs.group(1));
            }
        }
        assertThat(missing).isEmpty();
    }

    @Test
    void everyPathParameterIsDeclaredAndEveryOperationAnswersSomething() throws Exception {
        JsonNode paths = document().path("paths");
        List<String> problems = new ArrayList<>();
        for (String path : paths.propertyNames()) {
            for (String method : paths.path(path).propertyNames()) {
                JsonNode op = paths.path(path).path(method);
                Matcher params = Pattern.compile("\\{([^}]+)}").matcher(path);
                while (params.find()) {
                    boolean declared = false;
                    for (JsonNode p : op.path("parameters")) {
                        declared |= p.path("in").asString().equals("path") && p.path("name").asString().equals(params.group(1));
                    }
                    if (!declared) {
                        problems.add(method + " " + path + ": {" + params.group(1) + "} not declared");
                    }
                }
                if (op.path("responses").isEmpty() || op.path("summary").asString("").isBlank()) {
                    problems.add(method + " " + path + ": no summary or responses");
                }
            }
        }
        assertThat(problems).isEmpty();
        assertThat(OpenApi.load().operations().get("/api/v1/sync")).containsExactly("GET", "POST");
    }

}
