package io.tributary.flink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Reads and writes Flink's configuration as a flat key-to-value map. Flink 1.19+ and 2.x read
 * {@code conf/config.yaml} as standard YAML, with nested or flattened keys; we always write flat
 * keys, one per line, so the files are easy to read and diff.
 */
final class FlinkConfigFiles {
    static final String CONFIG_YAML = "config.yaml";
    static final String LEGACY_CONFIG = "flink-conf.yaml";
    static final String LOG4J_FILE = "log4j.properties";
    static final String LOG4J_CONSOLE = "log4j-console.properties";

    private FlinkConfigFiles() {}

    /** The home's configuration: {@code config.yaml}, else a legacy {@code flink-conf.yaml}, else nothing. */
    static Map<String, Object> read(Path confDir) {
        try {
            Path yaml = confDir.resolve(CONFIG_YAML);
            if (Files.isRegularFile(yaml)) {
                return parseYaml(Files.readString(yaml, StandardCharsets.UTF_8));
            }
            Path legacy = confDir.resolve(LEGACY_CONFIG);
            if (Files.isRegularFile(legacy)) {
                return parseLegacy(Files.readString(legacy, StandardCharsets.UTF_8));
            }
            return new LinkedHashMap<>();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Flink configuration in " + confDir, e);
        }
    }

    static Map<String, Object> parseYaml(String text) {
        Object root = new Load(LoadSettings.builder().build()).loadFromString(text);
        Map<String, Object> flat = new LinkedHashMap<>();
        if (root instanceof Map<?, ?> map) {
            flatten("", map, flat);
        } else if (root != null) {
            throw new IllegalArgumentException("Flink configuration is not a YAML mapping");
        }
        return flat;
    }

    private static void flatten(String prefix, Map<?, ?> map, Map<String, Object> into) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = prefix + e.getKey();
            Object value = e.getValue();
            if (value instanceof Map<?, ?> nested) {
                flatten(key + ".", nested, into);
            } else if (value instanceof List<?> list) {
                List<String> items = new ArrayList<>();
                list.forEach(item -> items.add(String.valueOf(item)));
                into.put(key, List.copyOf(items));
            } else if (value != null) {
                into.put(key, String.valueOf(value));
            }
        }
    }

    /** Flink's pre-1.19 format: {@code key: value} lines, {@code #} comments, no nesting. */
    static Map<String, Object> parseLegacy(String text) {
        Map<String, Object> flat = new LinkedHashMap<>();
        for (String line : text.split("\\R")) {
            String content = line.strip();
            if (content.isEmpty() || content.startsWith("#")) {
                continue;
            }
            int colon = content.indexOf(": ");
            if (colon > 0) {
                flat.put(content.substring(0, colon).strip(), content.substring(colon + 2).strip());
            }
        }
        return flat;
    }

    /**
     * One {@code key: value} line per entry, in map order. Strings are always double-quoted: YAML would
     * otherwise turn {@code 1.20} into a number or {@code on} into a boolean, and Flink converts quoted
     * strings to whatever type an option has.
     */
    static String render(Map<String, ?> config, String header) {
        StringBuilder out = new StringBuilder();
        for (String line : header.split("\n")) {
            out.append("# ").append(line).append('\n');
        }
        for (Map.Entry<String, ?> e : config.entrySet()) {
            out.append(e.getKey()).append(": ");
            if (e.getValue() instanceof List<?> list) {
                out.append('[');
                for (int i = 0; i < list.size(); i++) {
                    out.append(i == 0 ? "" : ", ").append(quote(String.valueOf(list.get(i))));
                }
                out.append(']');
            } else {
                out.append(quote(String.valueOf(e.getValue())));
            }
            out.append('\n');
        }
        return out.toString();
    }

    static String quote(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    static void write(Path confDir, Map<String, ?> config, String header) {
        writeAtomically(confDir.resolve(CONFIG_YAML), render(config, header));
    }

    /** Writes through a temporary file and a rename, so a reader never sees half a file. */
    static void writeAtomically(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Log4j 2 files as a distribution ships them: a rolling file per process, and a console variant. */
    static void writeLoggingDefaults(Path confDir) {
        writeIfAbsent(confDir.resolve(LOG4J_FILE), LOG4J_FILE_PROPERTIES);
        writeIfAbsent(confDir.resolve(LOG4J_CONSOLE), LOG4J_CONSOLE_PROPERTIES);
    }

    private static void writeIfAbsent(Path file, String content) {
        if (!Files.exists(file)) {
            writeAtomically(file, content);
        }
    }

    private static final String QUIET_LOGGERS = """
            # libraries that are noisy at INFO
            logger.pekko.name = org.apache.pekko
            logger.pekko.level = INFO
            logger.kafka.name = org.apache.kafka
            logger.kafka.level = INFO
            logger.hadoop.name = org.apache.hadoop
            logger.hadoop.level = WARN
            logger.zookeeper.name = org.apache.zookeeper
            logger.zookeeper.level = WARN
            logger.shaded_zookeeper.name = org.apache.flink.shaded.zookeeper3
            logger.shaded_zookeeper.level = WARN
            # the pipeline warns about harmless closed channels
            logger.netty.name = org.jboss.netty.channel.DefaultChannelPipeline
            logger.netty.level = OFF
            """;

    static final String LOG4J_FILE_PROPERTIES = """
            # Written by Tributary: each JobManager and TaskManager logs to the file named by -Dlog.file.
            monitorInterval = 30
            rootLogger.level = INFO
            rootLogger.appenderRef.file.ref = MainAppender
            """ + QUIET_LOGGERS + """
            appender.main.name = MainAppender
            appender.main.type = RollingFile
            appender.main.append = true
            appender.main.fileName = ${sys:log.file}
            appender.main.filePattern = ${sys:log.file}.%i
            appender.main.layout.type = PatternLayout
            appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
            appender.main.policies.type = Policies
            appender.main.policies.size.type = SizeBasedTriggeringPolicy
            appender.main.policies.size.size = 100MB
            appender.main.policies.startup.type = OnStartupTriggeringPolicy
            appender.main.strategy.type = DefaultRolloverStrategy
            appender.main.strategy.max = 10
            """;

    static final String LOG4J_CONSOLE_PROPERTIES = """
            # Written by Tributary: for processes that log to their standard output.
            monitorInterval = 30
            rootLogger.level = INFO
            rootLogger.appenderRef.console.ref = ConsoleAppender
            """ + QUIET_LOGGERS + """
            appender.console.name = ConsoleAppender
            appender.console.type = CONSOLE
            appender.console.layout.type = PatternLayout
            appender.console.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
            """;
}
