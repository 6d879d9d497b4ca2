package io.tributary.flink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A process id in a file, as Flink's own scripts keep them. A pid alone can name another process
 * after a restart of the machine or a wrap-around, so a process is only taken for ours when its
 * command line also names our cluster folder.
 */
final class PidFile {
    private PidFile() {}

    /** The pid written in a file's text, if it is one. */
    static OptionalLong parse(String text) {
        String trimmed = text == null ? "" : text.strip();
        if (trimmed.isEmpty() || trimmed.length() > 19 || !trimmed.chars().allMatch(Character::isDigit)) {
            return OptionalLong.empty();
        }
        try {
            long pid = Long.parseLong(trimmed);
            return pid > 0 ? OptionalLong.of(pid) : OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    static OptionalLong read(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.US_ASCII));
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read pid file " + file, e);
        }
    }

    static void write(Path file, long pid) {
        FlinkConfigFiles.writeAtomically(file, pid + "\n");
    }

    static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete pid file " + file, e);
        }
    }

    /** The live process the file names, if its command line contains {@code marker}. */
    static Optional<ProcessHandle> liveProcess(Path file, String marker) {
        OptionalLong pid = read(file);
        if (pid.isEmpty()) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid.getAsLong())
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false));
    }
}
