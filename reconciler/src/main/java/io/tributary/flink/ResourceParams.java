package io.tributary.flink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * JVM memory options and the matching {@code -D} settings of a JobManager or TaskManager, computed
 * by Flink's own BashJavaUtils from the configuration, exactly as Flink's start scripts do, so our
 * processes get the memory layout Flink documents for the configured process size.
 *
 * @param jvmArgs such as {@code -Xmx... -Xms... -XX:MaxMetaspaceSize=...}
 * @param dynamicArgs {@code -D key=value} pairs for the entry point (a TaskManager fails to start without them)
 */
record ResourceParams(List<String> jvmArgs, List<String> dynamicArgs) {
    static final String PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";
    private static final String MAIN = "org.apache.flink.runtime.util.bash.BashJavaUtils";

    enum Role {
        JOB_MANAGER("GET_JM_RESOURCE_PARAMS"), TASK_MANAGER("GET_TM_RESOURCE_PARAMS");

        final String command;

        Role(String command) {
            this.command = command;
        }
    }

    ResourceParams {
        jvmArgs = List.copyOf(jvmArgs);
        dynamicArgs = List.copyOf(dynamicArgs);
    }

    static ResourceParams compute(Path java, FlinkHome home, Path confDir, Role role) {
        List<String> command = List.of(java.toString(), "-classpath", home.classPath(), MAIN, role.command,
                "--configDir", confDir.toString());
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new LocalClusterException("BashJavaUtils " + role.command + " failed for " + confDir + ": " + tail(output));
            }
            return parse(output, role);
        } catch (IOException e) {
            throw new LocalClusterException("cannot run BashJavaUtils with " + java, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalClusterException("interrupted while computing memory settings", e);
        }
    }

    /** The last two result lines: JVM options, then dynamic settings; log lines around them are ignored. */
    static ResourceParams parse(String output, Role role) {
        List<String> results = new ArrayList<>();
        for (String line : output.split("\\R")) {
            if (line.startsWith(PREFIX)) {
                results.add(line.substring(PREFIX.length()).strip());
            }
        }
        if (results.size() < 2) {
            throw new LocalClusterException("BashJavaUtils " + role.command + " printed no memory settings: " + tail(output));
        }
        return new ResourceParams(words(results.get(results.size() - 2)), words(results.get(results.size() - 1)));
    }

    private static List<String> words(String line) {
        return line.isEmpty() ? List.of() : Arrays.asList(line.split("\\s+"));
    }

    private static String tail(String output) {
        String trimmed = output.strip();
        return trimmed.length() <= 2000 ? trimmed : "..." + trimmed.substring(trimmed.length() - 2000);
    }
}
