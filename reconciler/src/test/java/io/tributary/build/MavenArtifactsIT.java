package io.tributary.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.tributary.model.Credential;
import io.tributary.model.Metadata;
import io.tributary.model.SecretRef;
import io.tributary.model.Settings;
import io.tributary.secrets.SecretResolver;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real downloads from Maven Central into an empty local repository (small artifacts only), and
 * from an HTTP repository on the loopback that wants the credentials of Settings.
 */
class MavenArtifactsIT {
    @TempDir
    Path local;

    @Test
    void downloadsAnArtifactWithItsRuntimeDependenciesVerifyingChecksums() {
        try (MavenArtifacts artifacts = new MavenArtifacts(local)) {
            List<Path> files = artifacts.resolve(List.of("org.apache.commons:commons-text:1.10.0"), true);

            assertThat(files).extracting(p -> p.getFileName().toString())
                    .containsExactly("commons-text-1.10.0.jar", "commons-lang3-3.12.0.jar");
            assertThat(files).allSatisfy(p -> assertThat(p).startsWith(local).isNotEmptyFile());
            assertThat(local.resolve("org/apache/commons/commons-text/1.10.0/commons-text-1.10.0.jar.sha1")).exists();
        }
    }

    @Test
    void credentialsOfSettingsAreSentAsBasicAuthenticationOrABearerToken() throws Exception {
        byte[] jar = "classes of lib".getBytes(StandardCharsets.UTF_8);
        byte[] sha1 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(jar)).getBytes(StandardCharsets.UTF_8);
        Map<String, String> expected = Map.of(
                "/basic/", "Basic " + Base64.getEncoder().encodeToString("ci:pa:ss".getBytes(StandardCharsets.UTF_8)),
                "/token/", "Bearer glpat-123");
        List<String> seen = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String prefix = path.substring(0, path.indexOf('/', 1) + 1);
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            seen.add(prefix + " " + authorization);
            byte[] body = path.endsWith("/t/lib/1.0/lib-1.0.jar") ? jar : path.endsWith("/t/lib/1.0/lib-1.0.jar.sha1") ? sha1 : null;
            int status = !expected.get(prefix).equals(authorization) ? 401 : body == null ? 404 : 200;
            if (status == 401) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"test\"");
            }
            exchange.sendResponseHeaders(status, body == null || status != 200 ? -1 : body.length);
            if (status == 200) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            Map<String, String> env = Map.of("LOGIN", "ci:pa:ss", "TOKEN", "glpat-123");
            SecretResolver secrets = new SecretResolver(env::get, name -> null);
            for (Settings.Repository repository : List.of(
                    new Settings.Repository("basic", base + "/basic/", new Credential(new SecretRef("LOGIN", null))),
                    new Settings.Repository("token", base + "/token/", new Credential(new SecretRef("TOKEN", null))))) {
                Settings settings = new Settings(Metadata.of("platform", null), new Settings.Spec(
                        new Settings.Maven(List.of(repository), List.of(), null), null, null, null, null));
                try (MavenArtifacts artifacts = MavenArtifacts.forSettings(Optional.of(settings),
                        local.resolve(repository.id()), secrets)) {
                    List<Path> files = artifacts.resolve(List.of("t:lib:1.0"), false);
                    assertThat(files).singleElement().satisfies(p -> assertThat(p).hasBinaryContent(jar));
                }
            }
            assertThat(seen).contains("/basic/ " + expected.get("/basic/"), "/token/ " + expected.get("/token/"));
            assertThat(seen).noneMatch(line -> line.startsWith("/token/ Basic"));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void anArtifactCentralDoesNotHaveIsNamedWithCentral() {
        try (MavenArtifacts artifacts = new MavenArtifacts(local)) {
            assertThatThrownBy(() -> artifacts.resolve(List.of("io.tributary.missing:nothing-here:0.0.1"), false))
                    .isInstanceOfSatisfying(ArtifactResolutionFailure.class, f -> {
                        assertThat(f.missing()).containsExactly("io.tributary.missing:nothing-here:0.0.1");
                        assertThat(f.getMessage()).startsWith("cannot resolve io.tributary.missing:nothing-here:0.0.1 from "
                                + "central (https://repo.maven.apache.org/maven2)");
                    });
        }
    }
}
