package io.tributary.server;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.tributary.apply.Reconciler;
import io.tributary.build.ArtifactStore;
import io.tributary.build.ProjectBuilds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code GET /artifacts/{sha256}}: a job jar from the {@link ArtifactStore}, for YARN containers and
 * Kubernetes pods that fetch it over HTTP. Open without login because the address is the content's
 * SHA-256: it names one file and cannot be guessed (docs/security.md). Immutable, so cacheable forever.
 */
final class ArtifactRoute {
    private final Reconciler reconciler;

    ArtifactRoute(Reconciler reconciler) {
        this.reconciler = reconciler;
    }

    void handle(Context ctx) {
        String sha = ctx.pathParam("sha256");
        if (sha.endsWith(".jar")) {
            sha = sha.substring(0, sha.length() - 4);
        }
        String wanted = sha;
        Optional<Path> file = reconciler.builds().map(ProjectBuilds::artifacts).flatMap(a -> a.path(wanted));
        if (file.isEmpty()) {
            ctx.status(HttpStatus.NOT_FOUND).contentType("text/plain")
                    .result("no artifact " + (sha.matches("[0-9a-f]{64}") ? sha : "with that name")
                            + "; artifacts are named by the lower-case hex SHA-256 of their content\n");
            return;
        }
        String etag = "\"" + sha + "\"";
        ctx.header("ETag", etag);
        ctx.header("Cache-Control", "public, max-age=31536000, immutable");
        if (etag.equals(ctx.header("If-None-Match"))) {
            ctx.status(HttpStatus.NOT_MODIFIED);
            return;
        }
        try {
            ctx.header("Content-Length", String.valueOf(Files.size(file.get())));
            ctx.header("Content-Disposition", "attachment; filename=\"" + sha + ".jar\"");
            ctx.contentType("application/java-archive").result(Files.newInputStream(file.get()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read artifact " + sha, e);
        }
    }
}
