package io.tributary.config;

import java.util.List;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** How validation problems are printed: for people, for programs, and for GitHub pull requests. */
public enum ErrorFormat {
    /** {@code file:line:column: field: message}, one per line, then a summary. */
    text {
        @Override
        public String render(List<ConfigError> errors, int documents) {
            StringBuilder out = new StringBuilder();
            errors.forEach(e -> out.append(e).append('\n'));
            return out.append(summary(errors, documents)).toString();
        }
    },
    /** {@code {"valid": false, "errors": [{"file", "line", "column", "field", "message"}]}}. */
    json {
        @Override
        public String render(List<ConfigError> errors, int documents) {
            ObjectNode root = JsonNodeFactory.instance.objectNode();
            root.put("valid", errors.isEmpty());
            root.put("documents", documents);
            putErrors(root, errors);
            return JsonMapper.shared().writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        }
    },
    /** GitHub Actions workflow commands, so each error shows on its line of the pull request. */
    github {
        @Override
        public String render(List<ConfigError> errors, int documents) {
            StringBuilder out = new StringBuilder();
            for (ConfigError e : errors) {
                String message = e.field().isEmpty() ? e.message() : e.field() + ": " + e.message();
                out.append("::error file=").append(escapeProperty(e.file()))
                        .append(",line=").append(e.line())
                        .append(",col=").append(e.column())
                        .append("::").append(escapeData(message)).append('\n');
            }
            return out.append(summary(errors, documents)).toString();
        }
    };

    public abstract String render(List<ConfigError> errors, int documents);

    /** The last line: {@code valid: 14 documents}, {@code 1 error}, {@code 3 errors}. */
    private static String summary(List<ConfigError> errors, int documents) {
        return errors.isEmpty() ? "valid: " + documents + " documents\n"
                : errors.size() + (errors.size() == 1 ? " error\n" : " errors\n");
    }

    private static String escapeData(String text) {
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
    }

    private static String escapeProperty(String text) {
        return escapeData(text).replace(":", "%3A").replace(",", "%2C");
    }

    /** Errors as JSON under {@code errors}: the one shape every command's JSON output uses. */
    public static void putErrors(ObjectNode root, List<ConfigError> errors) {
        ArrayNode list = root.putArray("errors");
        for (ConfigError e : errors) {
            list.addObject()
                    .put("file", e.file())
                    .put("line", e.line())
                    .put("column", e.column())
                    .put("field", e.field())
                    .put("message", e.message());
        }
    }
}
