package io.tributary.build;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * The jar a SQL application is submitted as: the sql-runner's classes, with the app's dependency
 * jars nested under {@code lib/} (Flink puts a job jar's {@code lib/*.jar} on the job's class
 * path). Content-addressed: the same runner and dependencies give the same file, built once.
 */
public final class SqlJobJar {
    static final String MAIN_CLASS = "io.tributary.sqlrunner.SqlRunner";

    private SqlJobJar() {}

    /**
     * @param runner the sql-runner jar, or its classes directory in a development build
     * @param dependencies the app's resolved dependency jars
     */
    public static Path build(Path runner, List<Path> dependencies, Path outputDir) {
        try {
            List<Path> runnerFiles = runnerFiles(runner);
            String key = digest(runner, runnerFiles, dependencies);
            Path target = outputDir.resolve("sql-job-" + key.substring(0, 16) + ".jar");
            if (Files.isRegularFile(target)) {
                return target;
            }
            Files.createDirectories(outputDir);
            Path temp = Files.createTempFile(outputDir, "sql-job-", ".tmp");
            Manifest manifest = new Manifest();
            manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
            manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, MAIN_CLASS);
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(temp), manifest)) {
                if (Files.isDirectory(runner)) {
                    for (Path file : runnerFiles) {
                        add(out, runner.relativize(file).toString().replace('\\', '/'), file);
                    }
                } else {
                    copyClasses(runner, out);
                }
                for (Path dependency : dependencies) {
                    add(out, "lib/" + dependency.getFileName(), dependency);
                }
            }
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the SQL job jar in " + outputDir, e);
        }
    }

    private static List<Path> runnerFiles(Path runner) throws IOException {
        if (!Files.isDirectory(runner)) {
            return List.of(runner);
        }
        try (Stream<Path> files = Files.walk(runner)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> !runner.relativize(f).toString().startsWith("META-INF"))
                    .sorted()
                    .toList();
        }
    }

    private static void copyClasses(Path runnerJar, JarOutputStream out) throws IOException {
        try (JarFile jar = new JarFile(runnerJar.toFile())) {
            List<JarEntry> entries = new ArrayList<>(jar.stream().toList());
            for (JarEntry entry : entries) {
                if (entry.isDirectory() || entry.getName().startsWith("META-INF")) {
                    continue;
                }
                out.putNextEntry(new JarEntry(entry.getName()));
                jar.getInputStream(entry).transferTo(out);
                out.closeEntry();
            }
        }
    }

    private static void add(JarOutputStream out, String name, Path file) throws IOException {
        out.putNextEntry(new JarEntry(name));
        Files.copy(file, out);
        out.closeEntry();
    }

    /** Each file's name and content digest: the jar's name changes when any of them does. */
    private static String digest(Path runner, List<Path> runnerFiles, List<Path> dependencies) {
        MessageDigest sha = Digests.newSha256();
        List<Path> all = new ArrayList<>(runnerFiles);
        all.addAll(dependencies);
        for (Path file : all) {
            String name = Files.isDirectory(runner) && file.startsWith(runner) ? runner.relativize(file).toString()
                    : file.getFileName().toString();
            sha.update((name + "\n" + Digests.sha256Remembered(file) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
