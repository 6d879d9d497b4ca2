package io.tributary.build;

import io.tributary.model.Settings;
import io.tributary.secrets.SecretResolver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Settings' {@code spec.maven} as Maven command-line options for a project build: repositories and
 * mirrors in a generated global settings file ({@code -gs}; credentials as {@code <server>}s, in a
 * file only the service's user can read, deleted with the build's folder), and the operator's own
 * {@code settingsXml} as the user settings ({@code -s}), which Maven merges over the global ones.
 */
final class MavenSettingsFiles {
    private MavenSettingsFiles() {}

    static List<String> write(Optional<Settings> settings, Path workDir, SecretResolver secrets) {
        Settings.Maven maven = settings.map(s -> s.spec().maven()).orElse(null);
        if (maven == null) {
            return List.of();
        }
        String owner = "Settings \"" + settings.get().metadata().name() + "\" spec.maven";
        List<String> args = new ArrayList<>();
        try {
            if (!maven.repositories().isEmpty() || !maven.mirrors().isEmpty()) {
                Path global = workDir.resolve("global-settings.xml");
                writePrivate(global, globalSettings(maven, secrets, owner));
                args.add("-gs");
                args.add(global.toString());
            }
            if (maven.settingsXml() != null) {
                Path user;
                if (maven.settingsXml().file() != null) {
                    user = Path.of(maven.settingsXml().file());
                    if (!Files.isReadable(user)) {
                        throw new io.tributary.secrets.SecretUnavailable(owner + ".settingsXml: file " + user
                                + " cannot be read");
                    }
                } else {
                    user = workDir.resolve("settings.xml");
                    writePrivate(user, secrets.resolve(maven.settingsXml(), owner + ".settingsXml"));
                }
                args.add("-s");
                args.add(user.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write Maven settings into " + workDir, e);
        }
        return args;
    }

    static String globalSettings(Settings.Maven maven, SecretResolver secrets, String owner) {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<settings>\n");
        List<String> servers = new ArrayList<>();
        for (Settings.Repository r : maven.repositories()) {
            if (r.credentials() == null) {
                continue;
            }
            String secret = secrets.resolve(r.credentials(), owner + ".repositories[" + r.id() + "].credentials");
            int colon = secret.indexOf(':');
            if (colon > 0) {
                servers.add("    <server><id>" + esc(r.id()) + "</id><username>" + esc(secret.substring(0, colon))
                        + "</username><password>" + esc(secret.substring(colon + 1)) + "</password></server>\n");
            } else {
                servers.add("    <server><id>" + esc(r.id()) + "</id><configuration><httpHeaders><property><name>Authorization"
                        + "</name><value>Bearer " + esc(secret) + "</value></property></httpHeaders></configuration></server>\n");
            }
        }
        if (!servers.isEmpty()) {
            xml.append("  <servers>\n");
            servers.forEach(xml::append);
            xml.append("  </servers>\n");
        }
        if (!maven.mirrors().isEmpty()) {
            xml.append("  <mirrors>\n");
            for (Settings.Mirror m : maven.mirrors()) {
                xml.append("    <mirror><id>").append(esc(m.id())).append("</id><url>").append(esc(m.url()))
                        .append("</url><mirrorOf>").append(esc(m.mirrorOf())).append("</mirrorOf></mirror>\n");
            }
            xml.append("  </mirrors>\n");
        }
        if (!maven.repositories().isEmpty()) {
            xml.append("  <profiles><profile><id>tributary</id>\n    <repositories>\n");
            for (Settings.Repository r : maven.repositories()) {
                xml.append("      <repository><id>").append(esc(r.id())).append("</id><url>").append(esc(r.url()))
                        .append("</url></repository>\n");
            }
            xml.append("    </repositories>\n    <pluginRepositories>\n");
            for (Settings.Repository r : maven.repositories()) {
                xml.append("      <pluginRepository><id>").append(esc(r.id())).append("</id><url>").append(esc(r.url()))
                        .append("</url></pluginRepository>\n");
            }
            xml.append("    </pluginRepositories>\n  </profile></profiles>\n");
            xml.append("  <activeProfiles><activeProfile>tributary</activeProfile></activeProfiles>\n");
        }
        return xml.append("</settings>\n").toString();
    }

    private static void writePrivate(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
