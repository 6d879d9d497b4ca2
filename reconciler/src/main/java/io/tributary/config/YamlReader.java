package io.tributary.config;

import java.io.StringReader;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.parser.Parser;
import org.snakeyaml.engine.v2.schema.CoreSchema;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads a YAML file into documents. YAML's own errors (syntax, duplicate keys, non-string keys)
 * become located {@link ConfigError}s; nothing here throws on bad input.
 */
final class YamlReader {
    /** Deeper than any real config; stops alias bombs and runaway nesting. */
    private static final int MAX_DEPTH = 64;
    private static final int MAX_FILE_CODE_POINTS = 8 * 1024 * 1024;
    /**
     * The YAML scanner copies a token's text each time it reads on, so one huge token (a line of
     * megabytes) takes minutes; no real config line comes near this.
     */
    private static final int MAX_LINE_LENGTH = 256 * 1024;

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** Immutable once built (its resolvers only read), so one serves every file. */
    private static final CoreSchema SCHEMA = new CoreSchema();

    record Result(List<SourceDocument> documents, List<ConfigError> errors) {}

    Result read(String file, String text) {
        List<SourceDocument> documents = new ArrayList<>();
        List<ConfigError> errors = new ArrayList<>();
        LoadSettings settings = LoadSettings.builder()
                .setLabel(file)
                .setSchema(SCHEMA)
                .setAllowDuplicateKeys(true) // reported below with both lines
                .setMaxAliasesForCollections(50)
                .setCodePointLimit(MAX_FILE_CODE_POINTS)
                .build();
        if (!withinLimits(file, text, errors)) {
            return new Result(documents, errors);
        }
        try {
            List<Event> events = shallowEvents(file, settings, text, errors);
            if (events == null) {
                return new Result(documents, errors);
            }
            for (Composer composer = new Composer(settings, new Replay(events)); composer.hasNext(); ) {
                Node node = composer.next();
                Converter converter = new Converter(file, errors);
                JsonNode json = converter.convert(node, "", null, 0);
                Position start = node.getStartMark()
                        .map(m -> new Position(m.getLine() + 1, m.getColumn() + 1))
                        .orElse(Position.START);
                if (json.isNull()) {
                    continue; // an empty document, e.g. only comments
                }
                if (!(json instanceof ObjectNode object)) {
                    errors.add(new ConfigError(file, start.line(), start.column(), "",
                            "a document must be a mapping with apiVersion, kind, metadata and spec"));
                    continue;
                }
                documents.add(new SourceDocument(file, object, start, converter.values, converter.keys, text));
            }
        } catch (MarkedYamlEngineException e) {
            // a key without its ':' is found on the line after it; the key's own line is the one to fix
            boolean keyWithoutColon = e.getContext() != null && e.getContext().startsWith("while scanning a simple key");
            Mark mark = (keyWithoutColon ? e.getContextMark() : e.getProblemMark()).or(e::getContextMark)
                    .or(e::getProblemMark).orElse(null);
            int line = mark == null ? 1 : mark.getLine() + 1;
            int column = mark == null ? 1 : mark.getColumn() + 1;
            documents.clear(); // an error found while composing (an undefined alias) comes after earlier documents: none count
            errors.add(new ConfigError(file, line, column, "", syntaxError(e)));
        } catch (YamlEngineException e) {
            errors.add(new ConfigError(file, 1, 1, "", "YAML error: " + e.getMessage()));
        }
        return new Result(documents, errors);
    }

    /**
     * The parser's words for a syntax error, led by what the mistake most likely is and how to fix
     * it for the mistakes people make most, and followed by why other errors may follow from it: a
     * file that does not parse declares nothing, so names it declares are unknown elsewhere.
     */
    static String syntaxError(MarkedYamlEngineException e) {
        String problem = e.getProblem() == null ? "invalid YAML" : e.getProblem();
        String context = e.getContext() == null ? "" : e.getContext();
        String opened = e.getContextMark().map(m -> " at line " + (m.getLine() + 1)).orElse("");
        String parser = problem + (context.isEmpty() ? "" : " (" + context
                + e.getContextMark().map(m -> " that starts at line " + (m.getLine() + 1)).orElse("") + ")");
        String likely;
        if (problem.contains("(TAB)")) {
            likely = "a tab indents this line; YAML indents with spaces only: replace the tab with spaces";
        } else if (problem.startsWith("mapping values are not allowed")) {
            likely = "a ': ' where none may be: quote the value if the colon belongs to it (key: \"a: b\"), or add"
                    + " the ':' missing after the key on the line above";
        } else if (problem.startsWith("expected <block end>")) {
            likely = "this line is indented differently from the keys above it"
                    + e.getContextMark().map(m -> " (from line " + (m.getLine() + 1) + ")").orElse("")
                    + ": indent it as far as the key or list item it belongs beside";
        } else if (problem.startsWith("expected ',' or '}'")) {
            likely = "the { opened" + opened + " is not closed: add the missing } (or a ',' between its entries)";
        } else if (problem.startsWith("expected ',' or ']'")) {
            likely = "the [ opened" + opened + " is not closed: add the missing ] (or a ',' between its items)";
        } else if (context.startsWith("while scanning a quoted scalar")) {
            likely = "the quote opened" + opened + " is not closed: add the closing quote";
        } else if (problem.startsWith("could not find expected ':'")) {
            likely = "a line that is neither 'key: value' nor a list item ('- ...'): add ': ' after the key, or"
                    + " indent the line further if it continues the value above";
        } else {
            likely = null;
        }
        return "YAML syntax error: " + (likely == null ? parser : likely + " (parser: " + parser + ")")
                + "; until it is fixed the file declares nothing, and names from it are unknown elsewhere";
    }

    /** A file too large, or with a line too long, to parse in reasonable time: one error, nothing parsed. */
    private static boolean withinLimits(String file, String text, List<ConfigError> errors) {
        if (text.length() > MAX_FILE_CODE_POINTS) {
            errors.add(new ConfigError(file, 1, 1, "", "the file has " + text.length() + " characters, more than the "
                    + MAX_FILE_CODE_POINTS + " a config file may have; split it into several files"));
            return false;
        }
        int line = 1;
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == '\n') {
                if (i - start > MAX_LINE_LENGTH) {
                    errors.add(new ConfigError(file, line, 1, "", "line " + line + " has " + (i - start)
                            + " characters, more than the " + MAX_LINE_LENGTH + " a config line may have"));
                    return false;
                }
                line++;
                start = i + 1;
            }
        }
        return true;
    }

    /**
     * The file's parser events, or null (with the error) when a collection nests deeper than
     * {@link #MAX_DEPTH}: the composer recurses per level, and a file of {@code [[[[...} would
     * overflow the thread's stack before the converter could refuse it. The parser keeps its own
     * stack, so it is safe to read the events first; the composer then takes them from the list
     * instead of parsing the text a second time.
     */
    private static List<Event> shallowEvents(String file, LoadSettings settings, String text, List<ConfigError> errors) {
        List<Event> events = new ArrayList<>();
        int depth = 0;
        for (Event event : new Parse(settings).parseReader(new StringReader(text))) {
            switch (event.getEventId()) {
                case SequenceStart, MappingStart -> depth++;
                case SequenceEnd, MappingEnd -> depth--;
                default -> { }
            }
            if (depth > MAX_DEPTH) {
                Mark mark = event.getStartMark().orElse(null);
                errors.add(new ConfigError(file, mark == null ? 1 : mark.getLine() + 1,
                        mark == null ? 1 : mark.getColumn() + 1, "",
                        "nesting is deeper than " + MAX_DEPTH + " levels; no config needs that many"));
                return null;
            }
            events.add(event);
        }
        return events;
    }

    /** Events already parsed, handed to the composer as its parser. */
    private static final class Replay implements Parser {
        private final List<Event> events;
        private int next;

        Replay(List<Event> events) {
            this.events = events;
        }

        @Override
        public boolean hasNext() {
            return next < events.size();
        }

        @Override
        public boolean checkEvent(Event.ID id) {
            return hasNext() && events.get(next).getEventId() == id;
        }

        @Override
        public Event peekEvent() {
            if (!hasNext()) {
                throw new NoSuchElementException("no more YAML events");
            }
            return events.get(next);
        }

        @Override
        public Event next() {
            Event event = peekEvent();
            next++;
            return event;
        }
    }

    /** Turns YAML nodes into JSON nodes, remembering each node's place by pointer. */
    private static final class Converter {
        private final String file;
        private final List<ConfigError> errors;
        final Map<String, Node> values = new HashMap<>();
        final Map<String, Node> keys = new HashMap<>();
        private final Map<Node, Boolean> onPath = new IdentityHashMap<>();

        Converter(String file, List<ConfigError> errors) {
            this.file = file;
            this.errors = errors;
        }

        JsonNode convert(Node node, String pointer, Node key, int depth) {
            values.put(pointer, node);
            if (key != null) {
                keys.put(pointer, key);
            }
            if (depth > MAX_DEPTH || onPath.containsKey(node)) {
                error(node, pointer, "nesting is too deep or refers to itself through an alias");
                return JSON.nullNode();
            }
            onPath.put(node, Boolean.TRUE);
            try {
                if (node instanceof MappingNode mapping) {
                    return mapping(mapping, pointer, depth);
                }
                if (node instanceof SequenceNode sequence) {
                    return sequence(sequence, pointer, depth);
                }
                return node instanceof ScalarNode scalar ? scalar(scalar) : JSON.nullNode();
            } finally {
                onPath.remove(node);
            }
        }

        private ObjectNode mapping(MappingNode mapping, String pointer, int depth) {
            ObjectNode object = JSON.objectNode();
            Map<String, Node> seen = new HashMap<>();
            for (NodeTuple tuple : mapping.getValue()) {
                Node keyNode = tuple.getKeyNode();
                if (!(keyNode instanceof ScalarNode scalarKey)) {
                    error(keyNode, pointer, "a key must be a plain string");
                    continue;
                }
                String name = scalarKey.getValue();
                String child = Pointers.child(pointer, name);
                Node earlier = seen.putIfAbsent(name, keyNode);
                if (earlier != null) {
                    keys.put(child, keyNode);
                    error(keyNode, child, "duplicate key \"" + name + "\"; it is already set at line "
                            + (earlier.getStartMark().map(Mark::getLine).orElse(0) + 1));
                    continue;
                }
                object.set(name, convert(tuple.getValueNode(), child, keyNode, depth + 1));
            }
            return object;
        }

        private ArrayNode sequence(SequenceNode sequence, String pointer, int depth) {
            ArrayNode array = JSON.arrayNode();
            List<Node> items = sequence.getValue();
            for (int i = 0; i < items.size(); i++) {
                array.add(convert(items.get(i), Pointers.child(pointer, i), null, depth + 1));
            }
            return array;
        }

        private static JsonNode scalar(ScalarNode scalar) {
            String text = scalar.getValue();
            Tag tag = scalar.getTag();
            try {
                if (Tag.NULL.equals(tag)) {
                    return JSON.nullNode();
                }
                if (Tag.BOOL.equals(tag)) {
                    return JSON.booleanNode(Boolean.parseBoolean(text.toLowerCase()));
                }
                if (Tag.INT.equals(tag)) {
                    BigInteger value = new BigInteger(text.replace("_", "").replaceFirst("^\\+", ""));
                    return value.bitLength() < 64 ? JSON.numberNode(value.longValue()) : JSON.numberNode(value);
                }
                if (Tag.FLOAT.equals(tag)) {
                    return JSON.numberNode(Double.parseDouble(text));
                }
            } catch (NumberFormatException e) {
                // forms such as 0x1F or .inf: keep the text as written
            }
            return JSON.stringNode(text);
        }

        private void error(Node node, String pointer, String message) {
            int line = node.getStartMark().map(Mark::getLine).orElse(0) + 1;
            int column = node.getStartMark().map(Mark::getColumn).orElse(0) + 1;
            errors.add(new ConfigError(file, line, column, Pointers.fieldPath(pointer), message));
        }
    }
}
