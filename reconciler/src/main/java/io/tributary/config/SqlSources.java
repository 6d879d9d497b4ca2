package io.tributary.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The SQL of an Application: an inline {@code script}, or a {@code file} of the config repository
 * (which must exist inside it), with variables substituted and problems reported at the line of
 * the SQL file where they are written.
 */
final class SqlSources {
    private final Path root;
    private final List<ConfigError> errors;

    SqlSources(Path root, List<ConfigError> errors) {
        this.root = root;
        this.errors = errors;
    }

    /** The substituted SQL text, or empty when the app has none or it cannot be read. */
    Optional<String> text(Entry app, Interpolation interpolation) {
        SourceDocument doc = app.doc;
        String script = doc.stringAt("/spec/job/sql/script");
        if (script != null) {
            return Optional.of(script); // already substituted with the rest of the spec
        }
        String file = doc.stringAt("/spec/job/sql/file");
        if (file == null) {
            return Optional.empty();
        }
        Path path = root.resolve(file).normalize();
        if (file.isBlank() || Path.of(file).isAbsolute() || !path.startsWith(root)) {
            errors.add(doc.error("/spec/job/sql/file", "\"" + file + "\" is not a path inside the config repository;"
                    + " write it relative to the repository root, e.g. sql/orders.sql"));
            return Optional.empty();
        }
        if (!Files.isRegularFile(path)) {
            errors.add(doc.error("/spec/job/sql/file", "SQL file \"" + file + "\" does not exist"
                    + Suggestions.hint(file, sqlFiles())));
            return Optional.empty();
        }
        Optional<String> text = ConfigLoader.readUtf8(path, file, errors);
        return text.map(sql -> interpolation.substitute(sql, (offset, message) -> {
            int line = 1 + (int) sql.substring(0, offset).chars().filter(c -> c == '\n').count();
            int column = offset - sql.lastIndexOf('\n', offset - 1);
            errors.add(new ConfigError(file, line, column, "", message + " (in the SQL of "
                    + app.id.qualifiedName() + ")"));
        }));
    }

    /** Where an app's SQL is written: the start of its file, or the first character of its inline script. */
    static Optional<SqlOrigin> origin(Entry app) {
        SourceDocument doc = app.doc;
        String script = doc.stringAt("/spec/job/sql/script");
        if (script != null) {
            Position start = doc.positionInString("/spec/job/sql/script", script, 0);
            return Optional.of(new SqlOrigin(doc.file, start.line(), start.column()));
        }
        String file = doc.stringAt("/spec/job/sql/file");
        return file == null ? Optional.empty() : Optional.of(SqlOrigin.ofFile(file));
    }

    private List<String> sqlFiles() {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.toString().endsWith(".sql"))
                    .map(p -> ConfigLoader.relative(root, p))
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
