package io.tributary.build;

import io.tributary.model.Application;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jar of a jar application, as a local file: resolved from Maven coordinates (the jar alone;
 * the cluster provides Flink), or downloaded from a URL once and kept under its content's
 * sha256, with a small index from URL to content so a second use does not download again, or
 * built by a Project and kept in the {@link ArtifactStore} (the same folder) under its digest.
 */
public final class JobArtifacts {
    private static final Logger LOG = LoggerFactory.getLogger(JobArtifacts.class);

    private final MavenArtifacts maven;
    private final Path cacheDir;
    private final HttpClient http;

    public JobArtifacts(MavenArtifacts maven, Path cacheDir, HttpClient http) {
        this.maven = maven;
        this.cacheDir = cacheDir;
        this.http = http;
    }

    public Path jar(Application.Jar jar) {
        if (jar.maven() != null) {
            return maven.resolve(List.of(jar.maven()), false).get(0);
        }
        if (jar.url() != null) {
            return download(URI.create(jar.url()));
        }
        if (jar.project() != null) {
            Application.ProjectArtifact p = jar.project();
            if (p.sha256() == null) {
                throw new ArtifactDownloadFailure("project " + p.name() + " has not built " + p.artifact() + " yet");
            }
            Path built = cacheDir.resolve(p.sha256() + ".jar");
            if (!Files.isRegularFile(built)) {
                throw new ArtifactDownloadFailure("the artifact store has no " + p.artifact() + " (sha256 " + p.sha256()
                        + ") of project " + p.name() + "; build the project again");
            }
            return built;
        }
        throw new IllegalArgumentException("a jar job needs one of jar.maven, jar.url or jar.project");
    }

    private synchronized Path download(URI url) {
        try {
            Path index = cacheDir.resolve("by-url").resolve(Digests.sha256(url.toString()));
            if (Files.isRegularFile(index)) {
                Path cached = cacheDir.resolve(Files.readString(index).strip() + ".jar");
                if (Files.isRegularFile(cached)) {
                    return cached;
                }
            }
            Files.createDirectories(index.getParent());
            Path temp = Files.createTempFile(cacheDir, "download-", ".tmp");
            HttpResponse<Path> response = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofMinutes(10)).build(),
                    HttpResponse.BodyHandlers.ofFile(temp));
            if (response.statusCode() != 200) {
                Files.deleteIfExists(temp);
                throw new ArtifactDownloadFailure("downloading " + url + " answered HTTP " + response.statusCode());
            }
            String sha = Digests.sha256(temp);
            Path target = cacheDir.resolve(sha + ".jar");
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.writeString(index, sha);
            LOG.info("downloaded url={} sha256={} size={}", url, sha, Files.size(target));
            return target;
        } catch (IOException e) {
            throw new ArtifactDownloadFailure("cannot download " + url + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ArtifactDownloadFailure("interrupted while downloading " + url, e);
        }
    }

    /** A job jar that could not be fetched from its URL, with the reason. */
    public static final class ArtifactDownloadFailure extends RuntimeException {
        ArtifactDownloadFailure(String message) {
            super(message);
        }

        ArtifactDownloadFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
