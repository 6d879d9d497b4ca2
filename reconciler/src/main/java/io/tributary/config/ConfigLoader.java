package io.tributary.config;

import io.tributary.model.Application;
import io.tributary.model.DesiredState;
import io.tributary.model.Kind;
import io.tributary.model.Resource;
import io.tributary.model.ResourceId;
import io.tributary.model.Variable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads a checkout of a config repository into a {@link DesiredState}: every YAML document,
 * checked against its schema, then references, scopes and variables. Every problem of the
 * repository is reported in one run, each with its file, line and column.
 */
public final class ConfigLoader {

    /**
     * The loaded state and every problem found; the state is only to be applied when there are none.
     * {@code sqlOrigins} says where each SQL application's script is written, so a later check of the
     * SQL itself can report at the right file and line.
     */
    public record Result(DesiredState state, List<ConfigError> errors, Map<ResourceId, SqlOrigin> sqlOrigins) {
        public boolean valid() {
            return errors.isEmpty();
        }
    }

    /** Kinds whose string values may use {@code ${name}}. */
    private static final Set<Kind> INTERPOLATED = EnumSet.of(Kind.APPLICATION, Kind.CLUSTER, Kind.PROJECT,
            Kind.ALERT_CHANNEL, Kind.SETTINGS);
    /** Keys whose value is a credential: a secret reference, never a literal. */
    private static final Set<String> CREDENTIAL_KEYS = Set.of("password", "credentials");

    /** Checks do not depend on a name's spelling: a document whose only refused value is its name is still checked. */
    private static final String NAME = "/metadata/name";
    private final SchemaValidator schemas = new SchemaValidator();
    private final YamlReader yaml = new YamlReader();
    private final ObjectMapper binder = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
    /**
     * The last load's parse of each file, by path. A commit changes a few files of many, and
     * parsing, schema checks and binding are most of a load: a file whose text is unchanged is not
     * parsed again, and its documents' checks are reused while their trees stay the same.
     */
    private volatile Map<String, ParsedFile> parsedFiles = Map.of();

    private record ParsedFile(String text, YamlReader.Result yaml) {}

    public Result load(Path repoRoot) {
        Path root = repoRoot.toAbsolutePath().normalize();
        // a file that cannot be read or parsed declares nothing: its errors come first, as the likely
        // cause of the unknown names other files are then reported with
        List<ConfigError> unreadable = new ArrayList<>();
        List<ConfigError> errors = new ArrayList<>();
        Index index = new Index(errors);
        List<Entry> entries = new ArrayList<>();
        Map<String, ParsedFile> parsedBefore = parsedFiles;
        Map<String, ParsedFile> parsed = new HashMap<>();
        for (Path file : yamlFiles(root)) {
            String relative = relative(root, file);
            Optional<String> text = readUtf8(file, relative, unreadable);
            if (text.isEmpty()) {
                continue;
            }
            ParsedFile before = parsedBefore.get(relative);
            ParsedFile read = before != null && before.text().equals(text.get()) ? before
                    : new ParsedFile(text.get(), yaml.read(relative, text.get()));
            parsed.put(relative, read);
            (read.yaml().documents().isEmpty() ? unreadable : errors).addAll(read.yaml().errors());
            for (SourceDocument doc : read.yaml().documents()) {
                envelope(doc.copyForLoad(), errors).ifPresent(entries::add);
            }
        }
        parsedFiles = parsed;
        index.declaresNothing(unreadable.stream().map(ConfigError::file).distinct().sorted().toList());
        List<Entry> declared = entries.stream().filter(index::declare).toList();
        for (Entry entry : declared) {
            if (entry.team() != null && !index.teamExists(entry.team())) {
                errors.add(entry.error("/metadata/team", "team \"" + entry.team() + "\" does not exist"
                        + Suggestions.hint(entry.team(), index.visibleNames(Kind.TEAM, null)) + index.unparsedNote()));
                entry.orphan = true;
            } else if (entry.team() == null && entry.kind.scope() == Kind.Scope.TEAM) {
                entry.orphan = true; // the schema reports the missing team
            }
        }
        // Variables first: the other documents are substituted before their schema is checked, so a
        // pattern such as a duration applies to the value, not to "${interval}".
        Map<ResourceId, Variable> variables = new HashMap<>();
        for (Entry entry : declared) {
            if (!INTERPOLATED.contains(entry.kind)) {
                checkAndBind(entry, errors);
            }
            if (entry.resource instanceof Variable variable) {
                variables.put(entry.id, variable);
            }
        }
        Map<Entry, String> sqlTexts = new HashMap<>();
        Map<ResourceId, SqlOrigin> sqlOrigins = new HashMap<>();
        for (Entry entry : declared) {
            if (INTERPOLATED.contains(entry.kind) && !entry.orphan) {
                Interpolation interpolation = interpolationFor(entry, index, variables);
                substitute(entry, entry.doc.root.get("spec"), "/spec", interpolation, errors);
                if (entry.kind == Kind.APPLICATION) {
                    new SqlSources(root, errors).text(entry, interpolation).ifPresent(t -> sqlTexts.put(entry, t));
                    SqlSources.origin(entry).ifPresent(origin -> sqlOrigins.put(entry.id, origin));
                }
            }
        }
        for (Entry entry : declared) {
            if (INTERPOLATED.contains(entry.kind)) {
                String sql = sqlTexts.get(entry);
                checkAndBind(entry, errors, entry.doc.root.at("/spec/job/sql") instanceof ObjectNode ? sql : null);
            }
        }
        new SemanticChecks(index, errors).run();

        List<Resource> resources = declared.stream().filter(e -> e.usable).map(e -> e.resource).toList();
        unreadable.sort(ConfigError.BY_LOCATION);
        errors.sort(ConfigError.BY_LOCATION);
        List<ConfigError> all = new ArrayList<>(unreadable);
        all.addAll(errors);
        return new Result(DesiredState.of(resources), List.copyOf(all), Map.copyOf(sqlOrigins));
    }

    /** The schemas the loader checks against, for the reference document generator. */
    JsonNode schema(String file) {
        return schemas.rawSchema(file);
    }

    private void checkAndBind(Entry entry, List<ConfigError> errors) {
        checkAndBind(entry, errors, null);
    }

    /**
     * Checks the schema, then binds the record, or takes both from an earlier load of the same file
     * when the document's tree (variables substituted) and SQL text are the same.
     *
     * @param sqlText an SQL application's script as read from its file or block, bound as {@code job.sql.text}
     */
    private void checkAndBind(Entry entry, List<ConfigError> errors, String sqlText) {
        if (!entry.usable) {
            return;
        }
        SourceDocument.Check check = entry.doc.rememberedCheck(sqlText).orElseGet(() -> {
            SourceDocument.Check fresh = check(entry, sqlText);
            entry.doc.remember(fresh);
            return fresh;
        });
        errors.addAll(check.errors());
        entry.resource = check.resource();
        entry.salvaged = check.salvaged();
        entry.usable = check.resource() != null;
    }

    private SourceDocument.Check check(Entry entry, String sqlText) {
        JsonNode tree = entry.doc.root.deepCopy();
        List<ConfigError> found = schemas.validate(entry.kind, entry.doc);
        if (!found.isEmpty()) {
            return new SourceDocument.Check(tree, sqlText, List.copyOf(found), null, salvage(entry, sqlText));
        }
        try {
            return new SourceDocument.Check(tree, sqlText, List.of(), bind(entry.kind, entry.doc.root, sqlText), null);
        } catch (RuntimeException e) {
            return new SourceDocument.Check(tree, sqlText,
                    List.of(entry.error("", "could not be read: " + e.getMessage())), null, null);
        }
    }

    private Resource bind(Kind kind, JsonNode root, String sqlText) {
        if (sqlText != null) {
            ((ObjectNode) root.at("/spec/job/sql")).put("text", sqlText);
        }
        return binder.treeToValue(root, recordClass(kind));
    }

    /**
     * The document without the values its schema refused, when what is left passes the schema (an
     * invalid name aside, which checks do not depend on); null when a required field is missing or
     * refused, since checks of a document without it would only mislead.
     */
    private Salvaged salvage(Entry entry, String sqlText) {
        JsonNode copy = entry.doc.root.deepCopy();
        List<String> refused = schemas.refusedAt(entry.kind, copy);
        if (refused.contains(null)) {
            return null;
        }
        List<String> removed = refused.stream().filter(p -> !p.equals(NAME)).distinct()
                .sorted(Comparator.comparing(Pointers::segments, ConfigLoader::compareSegments).reversed()).toList();
        for (String pointer : removed) {
            JsonNode parent = copy.at(Pointers.parent(pointer));
            String last = Pointers.last(pointer);
            if (pointer.isEmpty()) {
                return null;
            } else if (parent instanceof ObjectNode object) {
                object.remove(last);
            } else if (parent instanceof ArrayNode array && last.chars().allMatch(Character::isDigit)) {
                array.remove(Integer.parseInt(last));
            } else {
                return null;
            }
        }
        if (!schemas.refusedAt(entry.kind, copy).stream().allMatch(NAME::equals)) {
            return null;
        }
        try {
            return new Salvaged(bind(entry.kind, copy, sqlText), removed.stream().map(Pointers::fieldPath).toList());
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Pointer segments in document order: list indices by number, so {@code 10} comes after {@code 9}. */
    private static int compareSegments(List<String> a, List<String> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            String x = a.get(i);
            String y = b.get(i);
            boolean numbers = !x.isEmpty() && !y.isEmpty() && x.chars().allMatch(Character::isDigit)
                    && y.chars().allMatch(Character::isDigit);
            // digits of any length (a map key may be one): the shorter number is the smaller
            int c = numbers && x.length() != y.length() ? Integer.compare(x.length(), y.length()) : x.compareTo(y);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    /** Checks what every document needs before it can be told apart: a known kind and a name. */
    private Optional<Entry> envelope(SourceDocument doc, List<ConfigError> errors) {
        JsonNode kindNode = doc.root.get("kind");
        if (kindNode == null) {
            errors.add(doc.errorAt(doc.start, "", "missing required field \"kind\" (one of " + String.join(", ", kindNames()) + ")"));
            return Optional.empty();
        }
        Optional<Kind> kind = doc.kind();
        if (kind.isEmpty()) {
            String written = kindNode.isString() ? kindNode.stringValue() : kindNode.toString();
            errors.add(doc.error("/kind", "unknown kind \"" + written + "\"" + Suggestions.closest(written,
                    Set.copyOf(kindNames())).map(s -> "; did you mean \"" + s + "\"?")
                    .orElse("; expected one of " + String.join(", ", kindNames()))));
            return Optional.empty();
        }
        if (kind.get().scope() == Kind.Scope.PLATFORM && doc.root.at("/metadata").has("team")) {
            errors.add(doc.errorAtKey("/metadata/team", "a " + kind.get().yamlName()
                    + " is platform-wide and belongs to no team; remove metadata.team"));
            ((ObjectNode) doc.root.get("metadata")).remove("team");
        }
        String name = doc.name();
        if (name == null) {
            errors.addAll(schemas.validate(kind.get(), doc));
            return Optional.empty();
        }
        String team = kind.get().scope() == Kind.Scope.PLATFORM ? null : doc.team();
        return Optional.of(new Entry(doc, kind.get(), new ResourceId(kind.get(), team, name)));
    }

    private static List<String> kindNames() {
        return java.util.Arrays.stream(Kind.values()).map(Kind::yamlName).toList();
    }

    private static Interpolation interpolationFor(Entry entry, Index index, Map<ResourceId, Variable> variables) {
        String team = entry.team();
        return new Interpolation(name -> index.visible(Kind.VARIABLE, team, name)
                .map(e -> variables.get(e.id))
                .orElse(null), () -> index.visibleNames(Kind.VARIABLE, team), index.unparsedNote());
    }

    /** Replaces variables in every string value below {@code node}, reporting each problem where it is written. */
    private static void substitute(Entry entry, JsonNode node, String pointer, Interpolation interpolation,
            List<ConfigError> errors) {
        if (node instanceof ObjectNode object) {
            for (String key : List.copyOf(object.propertyNames())) {
                String child = Pointers.child(pointer, key);
                JsonNode value = object.get(key);
                if (CREDENTIAL_KEYS.contains(key) && value.isString()) {
                    interpolation.checkCredential(value.stringValue(), (offset, message) ->
                            errors.add(entry.error(child, message)));
                } else if (value.isString()) {
                    if (Interpolation.mayContainReference(value.stringValue())) {
                        object.put(key, replaced(entry, child, value.stringValue(), interpolation, errors));
                    }
                } else {
                    substitute(entry, value, child, interpolation, errors);
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                String child = Pointers.child(pointer, i);
                JsonNode value = array.get(i);
                if (value.isString()) {
                    if (Interpolation.mayContainReference(value.stringValue())) {
                        array.set(i, replaced(entry, child, value.stringValue(), interpolation, errors));
                    }
                } else {
                    substitute(entry, value, child, interpolation, errors);
                }
            }
        }
    }

    private static String replaced(Entry entry, String pointer, String text, Interpolation interpolation,
            List<ConfigError> errors) {
        return interpolation.substitute(text, (offset, message) -> errors.add(entry.doc.errorAt(
                entry.doc.positionInString(pointer, text, offset), pointer, message)));
    }

    private static Class<? extends Resource> recordClass(Kind kind) {
        return switch (kind) {
            case FLINK_VERSION -> io.tributary.model.FlinkVersion.class;
            case CLUSTER -> io.tributary.model.Cluster.class;
            case APPLICATION -> Application.class;
            case VARIABLE -> Variable.class;
            case TEAM -> io.tributary.model.Team.class;
            case USER -> io.tributary.model.User.class;
            case ROLE -> io.tributary.model.Role.class;
            case PROJECT -> io.tributary.model.Project.class;
            case ALERT_CHANNEL -> io.tributary.model.AlertChannel.class;
            case ALERT_POLICY -> io.tributary.model.AlertPolicy.class;
            case SETTINGS -> io.tributary.model.Settings.class;
        };
    }

    /** Every *.yaml and *.yml file outside dot-folders, in path order so reports are stable. */
    private static List<Path> yamlFiles(Path root) {
        List<Path> files = new ArrayList<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    return !dir.equals(root) && dir.getFileName().toString().startsWith(".")
                            ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    String name = file.getFileName().toString();
                    if (attrs.isRegularFile() && (name.endsWith(".yaml") || name.endsWith(".yml"))) {
                        files.add(file);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the config repository " + root, e);
        }
        files.sort((a, b) -> relative(root, a).compareTo(relative(root, b)));
        return files;
    }

    static String relative(Path root, Path file) {
        return root.relativize(file).toString().replace('\\', '/');
    }

    static Optional<String> readUtf8(Path file, String relative, List<ConfigError> errors) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            errors.add(new ConfigError(relative, 1, 1, "", "not UTF-8 text; save the file as UTF-8"));
        } catch (IOException e) {
            errors.add(new ConfigError(relative, 1, 1, "", "cannot be read: " + e.getMessage()));
        }
        return Optional.empty();
    }
}
