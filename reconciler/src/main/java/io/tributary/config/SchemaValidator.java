package io.tributary.config;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.AnnotationKeyword;
import com.networknt.schema.path.NodePath;
import io.tributary.model.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks documents against the JSON Schemas of their kind (the files under {@code schema/},
 * packaged as resources) and words the validator's findings for people: unknown fields with a
 * suggestion, missing fields at the mapping that lacks them, and the schema's own
 * {@code errorMessage} where it gives one.
 */
final class SchemaValidator {
    static final String ID_PREFIX = "https://tributary.io/schema/v1/";
    private static final String RESOURCE_DIR = "schema/";

    private final Map<Kind, Schema> schemas = new EnumMap<>(Kind.class);
    private final Map<String, JsonNode> rawSchemas = new HashMap<>();

    SchemaValidator() {
        ObjectMapper json = JsonMapper.builder().build();
        // errorMessage is our own annotation: the wording shown when a pattern or oneOf fails there
        Dialect dialect = Dialect.builder(Dialects.getDraft202012())
                .keyword(new AnnotationKeyword("errorMessage"))
                .build();
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(dialect, builder -> builder
                .schemaRegistryConfig(SchemaRegistryConfig.builder().locale(Locale.ENGLISH).build())
                .schemaIdResolvers(resolvers -> resolvers.mapPrefix(ID_PREFIX, "classpath:" + RESOURCE_DIR)));
        for (Kind kind : Kind.values()) {
            rawSchemas.put(kind.schemaFile(), readResource(json, kind.schemaFile()));
            schemas.put(kind, registry.getSchema(SchemaLocation.of(ID_PREFIX + kind.schemaFile())));
        }
        rawSchemas.put("common.json", readResource(json, "common.json"));
    }

    /** The schema file of a kind, as a JSON tree (the reference doc generator reads them too). */
    JsonNode rawSchema(String file) {
        return rawSchemas.get(file);
    }

    List<ConfigError> validate(Kind kind, SourceDocument doc) {
        List<ConfigError> errors = new ArrayList<>();
        for (Error error : schemas.get(kind).validate(doc.root)) {
            if (insideAlternative(error)) {
                continue; // the oneOf/anyOf itself is reported with the schema's own wording
            }
            errors.add(toConfigError(error, doc));
        }
        return errors;
    }

    /**
     * Where {@code tree} breaks its schema: the pointer of each refused value or unknown field, or null
     * for a required field that is missing (nothing to take out).
     */
    List<String> refusedAt(Kind kind, JsonNode tree) {
        List<String> pointers = new ArrayList<>();
        for (Error error : schemas.get(kind).validate(tree)) {
            if (insideAlternative(error)) {
                continue;
            }
            String pointer = pointer(error.getInstanceLocation());
            pointers.add(switch (error.getKeyword()) {
                case "additionalProperties", "unevaluatedProperties" -> Pointers.child(pointer, error.getProperty());
                case "required" -> null;
                default -> pointer;
            });
        }
        return pointers;
    }

    private static boolean insideAlternative(Error error) {
        NodePath path = error.getEvaluationPath();
        for (int i = 0; i < path.getNameCount() - 1; i++) {
            String name = path.getName(i);
            if (name.equals("oneOf") || name.equals("anyOf")) {
                return true;
            }
        }
        return false;
    }

    private ConfigError toConfigError(Error error, SourceDocument doc) {
        String pointer = pointer(error.getInstanceLocation());
        JsonNode owner = owningSchema(error.getSchemaLocation());
        String custom = owner != null && owner.has("errorMessage") ? owner.get("errorMessage").stringValue() : null;
        JsonNode instance = error.getInstanceNode();
        return switch (error.getKeyword()) {
            case "additionalProperties", "unevaluatedProperties" -> {
                String field = error.getProperty();
                List<String> known = owner == null || !owner.has("properties") ? List.of()
                        : List.copyOf(owner.get("properties").propertyNames());
                String allowed = known.isEmpty() ? "" : " (allowed here: " + String.join(", ", known) + ")";
                String hint = Suggestions.closest(field, known).map(s -> "; did you mean \"" + s + "\"?").orElse(allowed);
                yield doc.errorAtKey(Pointers.child(pointer, field), "unknown field \"" + field + "\"" + hint);
            }
            case "required" -> doc.errorAtKey(pointer, "missing required field \"" + error.getProperty() + "\"");
            case "type" -> doc.error(pointer, "expected " + expectedType(error.getSchemaNode()) + ", found "
                    + describe(instance));
            case "enum" -> {
                List<String> allowed = StreamSupport.stream(error.getSchemaNode().spliterator(), false)
                        .map(JsonNode::asString).toList();
                String value = instance == null ? "" : instance.asString();
                yield doc.error(pointer, "\"" + value + "\" is not one of: " + String.join(", ", allowed)
                        + Suggestions.hint(value, allowed));
            }
            case "const" -> doc.error(pointer, custom != null ? custom
                    : "must be \"" + error.getSchemaNode().asString() + "\"" + (instance == null ? ""
                            : ", found \"" + instance.asString() + "\""));
            default -> doc.error(pointer, custom != null ? custom : plain(error.getMessage()));
        };
    }

    /** The schema object holding the keyword that failed, from the raw schema files. */
    private JsonNode owningSchema(SchemaLocation location) {
        String iri = location.getAbsoluteIri() == null ? "" : location.getAbsoluteIri().toString();
        JsonNode root = rawSchemas.get(iri.startsWith(ID_PREFIX) ? iri.substring(ID_PREFIX.length()) : iri);
        if (root == null) {
            return null;
        }
        NodePath fragment = location.getFragment();
        StringBuilder parent = new StringBuilder();
        for (int i = 0; i < fragment.getNameCount() - 1; i++) {
            parent.append('/').append(fragment.getName(i).replace("~", "~0").replace("/", "~1"));
        }
        JsonNode node = root.at(parent.toString());
        return node.isMissingNode() ? null : node;
    }

    static String pointer(NodePath path) {
        String pointer = "";
        for (int i = 0; i < path.getNameCount(); i++) {
            Object element = path.getElement(i);
            pointer = element instanceof Integer index ? Pointers.child(pointer, index)
                    : Pointers.child(pointer, String.valueOf(element));
        }
        return pointer;
    }

    private static String expectedType(JsonNode type) {
        if (type.isArray()) {
            return StreamSupport.stream(type.spliterator(), false)
                    .map(t -> article(t.asString())).collect(Collectors.joining(" or "));
        }
        return article(type.asString());
    }

    private static String article(String jsonType) {
        return switch (jsonType) {
            case "object" -> "a mapping";
            case "array" -> "a list";
            case "string" -> "a string";
            case "integer" -> "a whole number";
            case "number" -> "a number";
            case "boolean" -> "true or false";
            default -> jsonType;
        };
    }

    static String describe(JsonNode node) {
        if (node == null || node.isNull()) {
            return "nothing (null)";
        }
        if (node.isObject()) {
            return "a mapping";
        }
        if (node.isArray()) {
            return "a list";
        }
        if (node.isBoolean()) {
            return node.asString();
        }
        if (node.isNumber()) {
            return "the number " + node.asString();
        }
        return "\"" + node.asString() + "\"";
    }

    /** The validator prefixes its messages with the instance path; we show the field separately. */
    private static String plain(String message) {
        int colon = message.indexOf(": ");
        return colon >= 0 && message.startsWith("/") || message.startsWith("$") ? message.substring(colon + 2) : message;
    }

    private static JsonNode readResource(ObjectMapper json, String file) {
        try (InputStream in = SchemaValidator.class.getClassLoader().getResourceAsStream(RESOURCE_DIR + file)) {
            if (in == null) {
                throw new IllegalStateException("schema " + file + " is missing from the class path");
            }
            return json.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
