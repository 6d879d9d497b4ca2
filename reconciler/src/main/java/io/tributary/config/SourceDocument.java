package io.tributary.config;

import io.tributary.model.Kind;
import io.tributary.model.Resource;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One YAML document of a file, as a JSON tree for the schema validator and the binder, with the
 * YAML nodes kept by JSON Pointer so every error can name its line and column.
 *
 * <p>A document as parsed is kept between loads while its file does not change; each load works on
 * a {@link #copyForLoad() copy}, whose tree it may change (variables substituted), and which shares
 * the parsed one's {@link Check}.
 */
final class SourceDocument {
    final String file;
    final ObjectNode root;
    final Position start;
    private final Map<String, Node> values;
    private final Map<String, Node> keys;
    private final String fileText;
    private final CheckMemo memo;

    SourceDocument(String file, ObjectNode root, Position start, Map<String, Node> values, Map<String, Node> keys,
            String fileText) {
        this(file, root, start, values, keys, fileText, new CheckMemo());
    }

    private SourceDocument(String file, ObjectNode root, Position start, Map<String, Node> values,
            Map<String, Node> keys, String fileText, CheckMemo memo) {
        this.file = file;
        this.root = root;
        this.start = start;
        this.values = values;
        this.keys = keys;
        this.fileText = fileText;
        this.memo = memo;
    }

    /**
     * The outcome of checking this document's tree against its schema and binding it: the same
     * tree (and derived SQL text) in the same file text gives the same errors, at the same lines,
     * and the same record.
     *
     * @param resource the bound record, or null when there are errors
     * @param salvaged with schema errors, the rest of the document for the checks a schema cannot make; or null
     */
    record Check(JsonNode tree, String sqlText, List<ConfigError> errors, Resource resource, Salvaged salvaged) {
        boolean matches(JsonNode otherTree, String otherSqlText) {
            return Objects.equals(sqlText, otherSqlText) && tree.equals(otherTree);
        }
    }

    /** Shared by a parsed document and its copies; written by whichever load checked last. */
    private static final class CheckMemo {
        volatile Check last;
    }

    /** A copy whose tree this load may change; the YAML positions and the remembered check are shared. */
    SourceDocument copyForLoad() {
        return new SourceDocument(file, root.deepCopy(), start, values, keys, fileText, memo);
    }

    /** The check of an earlier load of the same file text, when its tree and SQL text were these. */
    Optional<Check> rememberedCheck(String sqlText) {
        Check last = memo.last;
        return last != null && last.matches(root, sqlText) ? Optional.of(last) : Optional.empty();
    }

    void remember(Check check) {
        memo.last = check;
    }

    Optional<Kind> kind() {
        JsonNode kind = root.get("kind");
        return kind != null && kind.isString() ? Kind.fromYamlName(kind.stringValue()) : Optional.empty();
    }

    String name() {
        return stringAt("/metadata/name");
    }

    String team() {
        return stringAt("/metadata/team");
    }

    /** The string at a pointer, or null when absent or not a string. */
    String stringAt(String pointer) {
        JsonNode node = root.at(pointer);
        return node.isString() ? node.stringValue() : null;
    }

    /** Where the value at a pointer starts; for a missing value, the nearest present ancestor. */
    Position valuePosition(String pointer) {
        for (String p = pointer; ; p = Pointers.parent(p)) {
            Node node = p.equals(pointer) ? values.get(p) : keys.getOrDefault(p, values.get(p));
            if (node != null) {
                return position(node);
            }
            if (p.isEmpty()) {
                return start;
            }
        }
    }

    /** Where the key of a field is written (unknown fields, misplaced blocks). */
    Position keyPosition(String pointer) {
        Node key = keys.get(pointer);
        return key != null ? position(key) : valuePosition(pointer);
    }

    /**
     * The position of the character at {@code offset} inside the string at {@code pointer}, so a
     * {@code ${name}} inside a multi-line script is reported on its own line.
     */
    Position positionInString(String pointer, String text, int offset) {
        Node node = values.get(pointer);
        if (!(node instanceof ScalarNode scalar)) {
            return valuePosition(pointer);
        }
        Position at = position(node);
        int lineIndex = (int) text.substring(0, offset).chars().filter(c -> c == '\n').count();
        int columnInLine = offset - (text.lastIndexOf('\n', offset - 1) + 1);
        ScalarStyle style = scalar.getScalarStyle();
        if (style == ScalarStyle.LITERAL || style == ScalarStyle.FOLDED) {
            int line = at.line() + 1 + lineIndex;
            return new Position(line, indentation(line) + 1 + columnInLine);
        }
        if (lineIndex > 0) {
            return new Position(at.line() + lineIndex, indentation(at.line() + lineIndex) + 1 + columnInLine);
        }
        int quote = style == ScalarStyle.PLAIN ? 0 : 1;
        return new Position(at.line(), at.column() + quote + columnInLine);
    }

    ConfigError error(String pointer, String message) {
        return errorAt(valuePosition(pointer), pointer, message);
    }

    ConfigError errorAtKey(String pointer, String message) {
        return errorAt(keyPosition(pointer), pointer, message);
    }

    ConfigError errorAt(Position position, String pointer, String message) {
        return new ConfigError(file, position.line(), position.column(), Pointers.fieldPath(pointer), message);
    }

    /** "teams/payments/apps.yaml:12", to name the other place in a duplicate. */
    String describe(String pointer) {
        return file + ":" + valuePosition(pointer).line();
    }

    /** Leading spaces of a line of the file; only errors inside multi-line strings need it. */
    private int indentation(int line) {
        if (line < 1) {
            return 0;
        }
        int at = 0;
        for (int l = 1; l < line; l++) {
            at = nextLineStart(at);
            if (at < 0) {
                return 0; // past the last line
            }
        }
        int i = at;
        while (i < fileText.length() && fileText.charAt(i) == ' ') {
            i++;
        }
        return i - at;
    }

    /** Where the line after the one starting at {@code from} starts (breaks as YAML reads them: LF, CRLF or CR), or -1. */
    private int nextLineStart(int from) {
        for (int i = from; i < fileText.length(); i++) {
            char c = fileText.charAt(i);
            if (c == '\n') {
                return i + 1;
            }
            if (c == '\r') {
                return i + 1 < fileText.length() && fileText.charAt(i + 1) == '\n' ? i + 2 : i + 1;
            }
        }
        return -1;
    }

    private static Position position(Node node) {
        return node.getStartMark()
                .map(m -> new Position(m.getLine() + 1, m.getColumn() + 1))
                .orElse(Position.START);
    }
}
