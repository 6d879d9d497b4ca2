package io.tributary.sqlrunner;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The runner's command line. The service passes the script inline as base64, because Flink's REST run
 * endpoint takes program arguments (programArgsList) but no files; {@code --script-file} is for
 * {@code flink run} and images that carry the script.
 *
 * @param script the script's text, a byte-order mark removed so columns match what editors show
 * @param jobName the job's name unless the script SETs pipeline.name
 */
record RunnerArguments(String script, Optional<String> jobName) {

    static final String USAGE = "usage: SqlRunner (--script-base64 <base64 of UTF-8 text> | --script-file <path>)"
            + " [--name <job name>]";

    private static final List<String> FLAGS = List.of("--script-base64", "--script-file", "--name");

    /** @throws IllegalArgumentException with the usage when the arguments are wrong or the script unreadable */
    static RunnerArguments parse(String[] args) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            String value;
            int equals = flag.indexOf('=');
            if (flag.startsWith("--") && equals > 0) {
                value = flag.substring(equals + 1);
                flag = flag.substring(0, equals);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw invalid(flag + " needs a value");
            }
            if (!FLAGS.contains(flag)) {
                throw invalid("unknown argument " + flag);
            }
            if (values.put(flag, value) != null) {
                throw invalid(flag + " is given twice");
            }
        }
        String inline = values.get("--script-base64");
        String file = values.get("--script-file");
        if ((inline == null) == (file == null)) {
            throw invalid("give the script with exactly one of --script-base64 and --script-file");
        }
        String name = values.get("--name");
        if (name != null && name.isBlank()) {
            throw invalid("--name is blank");
        }
        String script = inline != null ? decode(inline) : read(Path.of(file));
        if (script.startsWith("\uFEFF")) {
            script = script.substring(1);
        }
        return new RunnerArguments(script, Optional.ofNullable(name));
    }

    private static String decode(String base64) {
        byte[] bytes;
        try {
            // URL-safe base64 is accepted too: it is what some tools produce for query strings
            String trimmed = base64.strip();
            bytes = trimmed.indexOf('-') >= 0 || trimmed.indexOf('_') >= 0
                    ? Base64.getUrlDecoder().decode(trimmed)
                    : Base64.getDecoder().decode(trimmed);
        } catch (IllegalArgumentException e) {
            throw invalid("--script-base64 is not base64: " + e.getMessage());
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw invalid("--script-base64 does not decode to UTF-8 text");
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw invalid("cannot read the script file " + file + ": " + e);
        }
    }

    private static IllegalArgumentException invalid(String message) {
        return new IllegalArgumentException(message + "\n" + USAGE);
    }
}
