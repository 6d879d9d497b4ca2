package io.tributary.deploy;

import static io.tributary.deploy.ServiceVariables.DEPLOY;
import static io.tributary.deploy.ServiceVariables.ROOT;
import static io.tributary.deploy.ServiceVariables.read;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.config.ConfigLoader;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * deploy/'s Dockerfile, compose file and systemd unit, parsed (no Docker here): the ports, volumes
 * and variables they name are the service's, the files they copy or mount exist, and the compose
 * stack's config repository is valid.
 */
class DeployFilesTest {
    private static final Path DOCKERFILE = DEPLOY.resolve("docker/Dockerfile");
    private static final Path COMPOSE = DEPLOY.resolve("compose/compose.yaml");

    @TempDir
    Path temp;

    /** One instruction of a Dockerfile, continuation lines joined. */
    record Instruction(int stage, String keyword, String args) {}

    static List<Instruction> dockerfile() {
        List<Instruction> out = new ArrayList<>();
        StringBuilder pending = new StringBuilder();
        int stage = -1;
        for (String raw : read(DOCKERFILE).split("\n")) {
            String line = raw.strip();
            if (pending.length() == 0 && (line.isEmpty() || line.startsWith("#"))) {
                continue;
            }
            if (line.startsWith("#")) {
                continue; // a comment inside a continued instruction
            }
            if (line.endsWith("\\")) {
                pending.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            pending.append(line);
            String text = pending.toString().strip();
            pending.setLength(0);
            int space = text.indexOf(' ');
            String keyword = text.substring(0, space).toUpperCase();
            if (keyword.equals("FROM")) {
                stage++;
            }
            out.add(new Instruction(stage, keyword, text.substring(space + 1).strip()));
        }
        return out;
    }

    static List<String> args(List<Instruction> instructions, int stage, String keyword) {
        return instructions.stream().filter(i -> i.stage() == stage && i.keyword().equals(keyword))
                .map(Instruction::args).toList();
    }

    /** {@code ENV A=1 B=2} (and the old {@code ENV A 1}) of one stage. */
    static Map<String, String> env(List<Instruction> instructions, int stage) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String args : args(instructions, stage, "ENV")) {
            Matcher m = Pattern.compile("([A-Z_][A-Z0-9_]*)=(\"[^\"]*\"|\\S*)").matcher(args);
            boolean any = false;
            while (m.find()) {
                out.put(m.group(1), m.group(2).replace("\"", ""));
                any = true;
            }
            if (!any) {
                String[] kv = args.split("\\s+", 2);
                out.put(kv[0], kv[1]);
            }
        }
        return out;
    }

    @Test
    void dockerfileBuildsWithTheWrapperAndRunsAsNonRootOnAJre17() {
        List<Instruction> file = dockerfile();
        int last = file.get(file.size() - 1).stage();
        assertThat(last).as("stages").isGreaterThanOrEqualTo(1);
        assertThat(args(file, 0, "FROM")).singleElement().asString().endsWith("AS build");
        assertThat(args(file, 0, "RUN")).anySatisfy(run -> assertThat(run).contains("./mvnw", "package"));
        assertThat(args(file, last, "FROM")).singleElement().asString().startsWith("eclipse-temurin:17-jre");
        assertThat(args(file, last, "COPY")).anySatisfy(copy -> assertThat(copy).startsWith("--from=build"));
        assertThat(args(file, last, "USER")).singleElement().asString()
                .doesNotStartWith("root").doesNotStartWith("0:").isNotEqualTo("0");
    }

    @Test
    void dockerfileCopiesFilesThatExistAndEveryModuleOfTheReactor() {
        List<Instruction> file = dockerfile();
        List<String> sources = new ArrayList<>();
        for (String copy : args(file, 0, "COPY")) {
            List<String> parts = List.of(copy.split("\\s+"));
            sources.addAll(parts.subList(0, parts.size() - 1).stream().filter(p -> !p.startsWith("--")).toList());
        }
        assertThat(sources).allSatisfy(s -> assertThat(ROOT.resolve(s)).as("COPY source %s", s).exists());
        Matcher modules = Pattern.compile("<module>([^<]+)</module>").matcher(read(ROOT.resolve("pom.xml")));
        while (modules.find()) {
            String module = modules.group(1);
            assertThat(sources).as("the reactor needs module %s", module)
                    .anyMatch(s -> s.equals(module + "/") || s.equals(module + "/pom.xml"));
        }
    }

    @Test
    void dockerfileVariablesPortVolumeAndHealthCheckAreTheService() {
        List<Instruction> file = dockerfile();
        int last = file.get(file.size() - 1).stage();
        Map<String, String> env = env(file, last);
        assertThat(env.keySet()).as("variables the image sets").allMatch(ServiceVariables::known);

        String port = env.getOrDefault("TRIBUTARY_PORT", ServiceVariables.defaultOf("TRIBUTARY_PORT").orElseThrow());
        assertThat(args(file, last, "EXPOSE")).containsExactly(port);
        assertThat(String.join(" ", args(file, last, "VOLUME"))).contains("\"" + env.get("TRIBUTARY_DATA_DIR") + "\"");
        assertThat(env.get("TRIBUTARY_MAVEN_REPOSITORY")).as("the Maven cache is kept in the data volume")
                .startsWith(env.get("TRIBUTARY_DATA_DIR") + "/");
        assertThat(args(file, last, "HEALTHCHECK")).singleElement().asString()
                .contains("http://localhost:" + port + "/readyz");

        String jar = args(file, last, "COPY").stream().filter(c -> c.startsWith("--from=build"))
                .map(c -> c.substring(c.lastIndexOf(' ') + 1)).findFirst().orElseThrow();
        assertThat(args(file, last, "ENTRYPOINT")).singleElement().asString().contains("\"-jar\", \"" + jar + "\"");
        assertThat(args(file, last, "CMD")).containsExactly("[\"serve\"]");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> compose() {
        return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(read(COMPOSE));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o, String key) {
        return (Map<String, Object>) ((Map<String, Object>) o).get(key);
    }

    @SuppressWarnings("unchecked")
    static List<String> list(Object o, String key) {
        return (List<String>) ((Map<String, Object>) o).get(key);
    }

    @Test
    void composeRunsTheServiceWithPostgresAndAFlinkSessionCluster() {
        Map<String, Object> services = map(compose(), "services");
        assertThat(services).containsKeys("tributary", "postgres", "jobmanager", "taskmanager");
        assertThat(map(services, "jobmanager").get("image")).asString().startsWith("flink:1.20.1");
        assertThat(map(services, "taskmanager").get("image")).isEqualTo(map(services, "jobmanager").get("image"));
        assertThat(map(services, "jobmanager").get("command")).isEqualTo("jobmanager");
        assertThat(map(services, "taskmanager").get("command")).isEqualTo("taskmanager");
        assertThat(map(services, "postgres").get("image")).asString().startsWith("postgres:");

        Map<String, Object> tributary = map(services, "tributary");
        assertThat(map(tributary, "build").get("dockerfile")).isEqualTo("deploy/docker/Dockerfile");
        assertThat(COMPOSE.getParent().resolve((String) map(tributary, "build").get("context"))
                .resolve("deploy/docker/Dockerfile")).exists();
    }

    @Test
    void composeNamesOnlyVariablesPortsAndVolumesTheServiceHas() {
        Map<String, Object> compose = compose();
        Map<String, Object> services = map(compose, "services");
        Map<String, Object> tributary = map(services, "tributary");
        Map<String, Object> env = map(tributary, "environment");
        assertThat(env.keySet()).as("variables given to the service").allMatch(ServiceVariables::known);

        String port = String.valueOf(env.get("TRIBUTARY_PORT"));
        assertThat(list(tributary, "ports")).singleElement().asString().endsWith(":" + port);

        URI database = URI.create(((String) env.get("TRIBUTARY_DATABASE")).substring("jdbc:".length()));
        Map<String, Object> postgres = map(services, "postgres");
        assertThat(services).containsKey(database.getHost());
        assertThat(database.getPort()).isEqualTo(5432);
        assertThat(database.getPath()).isEqualTo("/" + map(postgres, "environment").get("POSTGRES_DB"));
        assertThat(env.get("TRIBUTARY_DATABASE_USER")).isEqualTo(map(postgres, "environment").get("POSTGRES_USER"));
        assertThat(env.get("TRIBUTARY_DATABASE_PASSWORD")).isEqualTo(map(postgres, "environment").get("POSTGRES_PASSWORD"));

        List<String> volumes = list(tributary, "volumes");
        assertThat(volumes).contains("tributary-data:" + env.get("TRIBUTARY_DATA_DIR"));
        assertThat(env.get("TRIBUTARY_DATA_DIR")).as("the image's data volume")
                .isEqualTo(env(dockerfile(), 1).get("TRIBUTARY_DATA_DIR"));
        assertThat(volumes).anyMatch(v -> v.startsWith("config:" + env.get("TRIBUTARY_REPO")));

        Map<String, Object> declared = map(compose, "volumes");
        for (Object service : services.values()) {
            List<String> mounts = list(service, "volumes");
            for (String mount : mounts == null ? List.<String>of() : mounts) {
                String source = mount.substring(0, mount.indexOf(':'));
                if (source.startsWith(".")) {
                    assertThat(COMPOSE.getParent().resolve(source)).as("bind mount %s", mount).exists();
                } else {
                    assertThat(declared).as("named volume of %s", mount).containsKey(source);
                }
            }
        }
    }

    @Test
    void composeConfigRepositoryIsTheSampleOnTheSessionClusterAndValid() throws IOException {
        Map<String, Object> services = map(compose(), "services");
        String clusters = read(DEPLOY.resolve("compose/clusters.yaml"));
        Matcher address = Pattern.compile("address: http://([a-z-]+):(\\d+)").matcher(clusters);
        assertThat(address.find()).isTrue();
        assertThat(services).containsKey(address.group(1));
        assertThat(list(services.get(address.group(1)), "ports")).contains(address.group(2) + ":" + address.group(2));
        assertThat(clusters).contains("managed: false");
        assertThat(String.join(" ", list(services.get("config"), "entrypoint")))
                .contains("/config/platform/clusters.yaml");

        Path repo = temp.resolve("config");
        Path sample = ROOT.resolve("sample-repo");
        try (Stream<Path> files = Files.walk(sample)) {
            for (Path f : files.toList()) {
                Path to = repo.resolve(sample.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Files.copy(DEPLOY.resolve("compose/clusters.yaml"), repo.resolve("platform/clusters.yaml"),
                StandardCopyOption.REPLACE_EXISTING);
        ConfigLoader.Result result = new ConfigLoader().load(repo);
        assertThat(result.errors()).as("errors of the compose stack's config repository").isEmpty();
    }

    @Test
    void systemdUnitRunsTheServiceAsItsUserWithTheEnvironmentFile() {
        Map<String, String> unit = new LinkedHashMap<>();
        for (String line : read(DEPLOY.resolve("systemd/tributary.service")).split("\n")) {
            int eq = line.indexOf('=');
            if (!line.startsWith("#") && eq > 0) {
                unit.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        assertThat(unit.get("User")).isEqualTo("tributary");
        assertThat(unit.get("EnvironmentFile")).isEqualTo("/etc/tributary/tributary.env");
        assertThat(unit.get("ExecStart")).contains("-jar ", " serve");
        assertThat(unit.get("KillMode")).as("SIGTERM to the service alone, which stops its children in order")
                .isEqualTo("mixed");
        assertThat(unit.get("StateDirectory")).isEqualTo("tributary");
    }

    @Test
    void systemdEnvironmentFileNamesEveryVariableOfTheServiceAndNoOther() {
        Map<String, String> set = new LinkedHashMap<>();
        List<String> named = new ArrayList<>();
        for (String line : read(DEPLOY.resolve("systemd/tributary.env")).split("\n")) {
            Matcher m = Pattern.compile("^(#?)([A-Z][A-Z0-9_]*)=(.*)$").matcher(line);
            if (m.matches()) {
                named.add(m.group(2));
                if (m.group(1).isEmpty()) {
                    set.put(m.group(2), m.group(3));
                }
            }
        }
        assertThat(named).as("variables in the environment file").allMatch(ServiceVariables::known);
        assertThat(named).as("every variable of the service is documented there")
                .containsAll(ServiceVariables.names());
        assertThat(set.get("TRIBUTARY_DATA_DIR")).as("the unit's StateDirectory").isEqualTo("/var/lib/tributary");
    }
}
