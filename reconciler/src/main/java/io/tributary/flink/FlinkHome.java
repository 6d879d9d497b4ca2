package io.tributary.flink;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A Flink distribution on disk: what a JobManager, TaskManager or client JVM of that version needs.
 *
 * @param version the Flink version, such as {@code 1.20.1}
 * @param major its major version (1 or 2), which decides version-specific behaviour
 * @param home the distribution's folder
 * @param libJars the jars of {@code lib/}, in class path order
 * @param confDir the default configuration ({@code config.yaml}, log4j files)
 */
public record FlinkHome(String version, int major, Path home, List<Path> libJars, Path confDir) {
    public FlinkHome {
        libJars = List.copyOf(libJars);
    }

    /** The lib jars joined for {@code -classpath}. */
    public String classPath() {
        return libJars.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
    }
}
