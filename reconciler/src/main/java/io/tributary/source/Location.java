package io.tributary.source;

import io.tributary.source.SourceException.Reason;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.lib.RepositoryCache;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.util.FS;

/**
 * A source location understood: a Git remote (URL, scp-like address or local repository) or a
 * plain folder. {@code display} is what logs and pages show; it never holds a password.
 */
record Location(Protocol protocol, String uri, String display, Path folder) {
    /** How a Git remote is reached; {@code DIRECTORY} is a plain folder, not Git at all. */
    enum Protocol { FILE, HTTP, SSH, GIT, DIRECTORY }

    private static final Pattern SCHEME = Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*)://");
    /** {@code [user@]host:path}, as git reads it: no slash before the colon. */
    private static final Pattern SCP_LIKE = Pattern.compile("(?:[^@/\\s]+@)?[^/:\\s]+:.+");

    boolean isGit() {
        return protocol != Protocol.DIRECTORY;
    }

    static Location parse(String raw) {
        Matcher scheme = SCHEME.matcher(raw);
        if (scheme.lookingAt()) {
            return url(raw, scheme.group(1).toLowerCase(Locale.ROOT));
        }
        Path path;
        try {
            path = Path.of(raw);
        } catch (InvalidPathException e) {
            path = null;
        }
        if (SCP_LIKE.matcher(raw).matches() && (path == null || !Files.exists(path))) {
            URIish uri = uriish(raw);
            return new Location(Protocol.SSH, raw, uri.toString(), null);
        }
        if (path == null) {
            throw new SourceException(Reason.OTHER, "'" + raw + "' is neither a Git URL nor a folder; check the location");
        }
        Path folder = path.toAbsolutePath().normalize();
        if (!Files.exists(folder)) {
            throw new SourceException(Reason.UNREACHABLE,
                    "no folder " + folder + "; check the location (a path on this machine, or a Git URL)");
        }
        if (!Files.isDirectory(folder)) {
            throw new SourceException(Reason.OTHER, folder + " is a file; give the folder or Git repository that holds the config");
        }
        if (isGitRepository(folder)) {
            return new Location(Protocol.FILE, folder.toString(), folder.toString(), folder);
        }
        return new Location(Protocol.DIRECTORY, folder.toString(), folder.toString(), folder);
    }

    private static Location url(String raw, String scheme) {
        URIish uri = uriish(raw);
        if (uri.getPass() != null) {
            throw new SourceException(Reason.OTHER, "the location " + uri + " has a password or token in it; "
                    + "remove it from the URL and give it as the source's token credential, so it stays out of logs");
        }
        Protocol protocol;
        switch (scheme) {
            case "http":
            case "https":
                protocol = Protocol.HTTP;
                break;
            case "ssh":
            case "git+ssh":
            case "ssh+git":
                protocol = Protocol.SSH;
                break;
            case "file":
                protocol = Protocol.FILE;
                break;
            case "git":
                protocol = Protocol.GIT;
                break;
            default:
                throw new SourceException(Reason.OTHER, "unsupported protocol '" + scheme + "' in " + uri
                        + "; use https://, ssh://, git@host:org/repo.git, file:// or a local path");
        }
        return new Location(protocol, raw, uri.toString(), null);
    }

    private static URIish uriish(String raw) {
        try {
            return new URIish(raw);
        } catch (URISyntaxException e) {
            throw new SourceException(Reason.OTHER, "'" + raw.replaceAll(":[^@/:]*@", ":***@")
                    + "' is not a valid Git URL; check the location");
        }
    }

    /** A bare repository, or a working tree with a {@code .git} folder or file (a linked worktree). */
    /** The Git repository a plain folder lies inside (an ancestor that is one), if any. */
    Optional<Path> enclosingRepository() {
        if (protocol != Protocol.DIRECTORY) {
            return Optional.empty();
        }
        for (Path parent = folder.getParent(); parent != null; parent = parent.getParent()) {
            if (isGitRepository(parent)) {
                return Optional.of(parent);
            }
        }
        return Optional.empty();
    }

    private static boolean isGitRepository(Path folder) {
        return Files.exists(folder.resolve(".git"))
                || RepositoryCache.FileKey.isGitRepository(folder.toFile(), FS.DETECTED);
    }
}
