package io.tributary.config;

import io.tributary.model.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import tools.jackson.databind.JsonNode;

/**
 * Writes {@code docs/config-reference.md} from the JSON Schemas. The build runs it, so the
 * reference always says what the validator enforces.
 */
public final class ReferenceDoc {
    private final SchemaValidator schemas = new SchemaValidator();

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: ReferenceDoc OUTPUT.md");
        }
        Path out = Path.of(args[0]);
        Files.createDirectories(out.toAbsolutePath().getParent());
        String text = new ReferenceDoc().render();
        if (!Files.exists(out) || !Files.readString(out, StandardCharsets.UTF_8).equals(text)) {
            Files.writeString(out, text, StandardCharsets.UTF_8);
        }
    }

    String render() {
        StringBuilder md = new StringBuilder();
        md.append("# Config reference\n\n")
                .append("<!-- Generated from schema/*.json by the build (io.tributary.config.ReferenceDoc). "
                        + "Edit the schemas, not this file. -->\n\n")
                .append("Every document of a config repository has `apiVersion: ").append(Kind.API_VERSION)
                .append("`, a `kind`, `metadata` and `spec`. This page lists every field of every kind, ")
                .append("as the JSON Schemas under [`schema/`](../schema) define them; ")
                .append("[the sample repository](../sample-repo) uses each of them. ")
                .append("Editors validate as you type with a first line such as ")
                .append("`# yaml-language-server: $schema=<path to>/schema/tributary.json`.\n\n");
        for (Kind kind : Kind.values()) {
            md.append("- [").append(kind.yamlName()).append("](#").append(kind.yamlName().toLowerCase()).append(")\n");
        }
        for (Kind kind : Kind.values()) {
            JsonNode schema = schemas.rawSchema(kind.schemaFile());
            md.append("\n## ").append(kind.yamlName()).append("\n\n")
                    .append(text(schema.path("description"))).append("\n\n")
                    .append("Scope: ").append(switch (kind.scope()) {
                        case PLATFORM -> "platform-wide (no `metadata.team`)";
                        case TEAM -> "team (`metadata.team` required)";
                        case EITHER -> "platform-wide, or a team's with `metadata.team`";
                    })
                    .append(". Schema: [`schema/").append(kind.schemaFile()).append("`](../schema/")
                    .append(kind.schemaFile()).append(").\n\n")
                    .append("| field | type | required | default | description |\n")
                    .append("|---|---|---|---|---|\n");
            List<String> rows = new ArrayList<>();
            fields(kind.schemaFile(), schema.path("properties").path("metadata"), "metadata", rows, new HashSet<>());
            fields(kind.schemaFile(), schema.path("properties").path("spec"), "spec", rows, new HashSet<>());
            rows.forEach(row -> md.append(row).append('\n'));
        }
        return md.toString();
    }

    private void fields(String file, JsonNode node, String path, List<String> rows, Set<String> visiting) {
        Resolved object = resolve(file, node);
        JsonNode properties = object.node.path("properties");
        Set<String> required = StreamSupport.stream(object.node.path("required").spliterator(), false)
                .map(JsonNode::asString).collect(Collectors.toSet());
        for (String name : properties.propertyNames()) {
            JsonNode property = properties.get(name);
            Resolved field = resolve(object.file, property);
            String fieldPath = path + "." + name;
            String description = property.has("description") ? text(property.get("description"))
                    : text(field.node.path("description"));
            rows.add("| `" + fieldPath + "` | " + type(field.node) + " | " + (required.contains(name) ? "yes" : "")
                    + " | " + defaultOf(property, field.node) + " | " + description.replace("|", "\\|") + " |");
            if (field.node.has("properties") && visiting.add(fieldPath)) {
                fields(field.file, field.node, fieldPath, rows, visiting);
            }
            JsonNode items = resolve(field.file, field.node.path("items")).node;
            if (items.has("properties")) {
                fields(resolve(field.file, field.node.path("items")).file, items, fieldPath + "[]", rows, visiting);
            }
        }
    }

    private record Resolved(String file, JsonNode node) {}

    /** Follows {@code $ref}s (within a file or into another schema file) to the schema object they name. */
    private Resolved resolve(String file, JsonNode node) {
        Resolved current = new Resolved(file, node);
        for (int hops = 0; current.node.has("$ref") && hops < 10; hops++) {
            String ref = current.node.get("$ref").asString();
            int hash = ref.indexOf('#');
            String target = hash == 0 ? current.file : hash < 0 ? ref : ref.substring(0, hash);
            String pointer = hash < 0 ? "" : ref.substring(hash + 1);
            current = new Resolved(target, schemas.rawSchema(target).at(pointer));
        }
        return current;
    }

    private String type(JsonNode node) {
        if (node.has("enum")) {
            return StreamSupport.stream(node.get("enum").spliterator(), false)
                    .map(v -> "`" + v.asString() + "`").collect(Collectors.joining(" \\| "));
        }
        if (node.has("const")) {
            return "`" + node.get("const").asString() + "`";
        }
        if (node.has("oneOf") && !node.has("type")) {
            return StreamSupport.stream(node.get("oneOf").spliterator(), false)
                    .map(this::type).distinct().collect(Collectors.joining(" or "));
        }
        JsonNode type = node.path("type");
        String base = type.isArray()
                ? StreamSupport.stream(type.spliterator(), false).map(JsonNode::asString).collect(Collectors.joining(" or "))
                : type.asString("");
        if ("array".equals(base)) {
            String items = type(resolve("", node.path("items")).node);
            return items.isEmpty() ? "list" : "list of " + items;
        }
        if ("object".equals(base)) {
            return "mapping";
        }
        if (node.has("pattern") && "string".equals(base)) {
            return "string (`" + node.get("pattern").asString().replace("|", "\\|") + "`)";
        }
        return base;
    }

    private static String defaultOf(JsonNode property, JsonNode resolved) {
        JsonNode value = property.has("default") ? property.get("default") : resolved.get("default");
        return value == null ? "" : "`" + (value.isString() ? value.asString() : value.toString()).replace("|", "\\|") + "`";
    }

    private static String text(JsonNode node) {
        return node.asString("").replace("\n", " ");
    }
}
