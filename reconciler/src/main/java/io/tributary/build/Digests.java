package io.tributary.build;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/** SHA-256 in hex: the content address of jars, homes and configurations. */
public final class Digests {
    /** Cloned for each use: cheaper than looking the algorithm up among the providers every time. */
    private static final MessageDigest SHA256 = lookUpSha256();
    private static final int REMEMBERED_FILES = 1024;
    /** By absolute path, least recently used first; see {@link #sha256Remembered}. */
    private static final Map<Path, FileDigest> REMEMBERED = Collections.synchronizedMap(
            new LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Path, FileDigest> eldest) {
                    return size() > REMEMBERED_FILES;
                }
            });

    private record FileDigest(long size, FileTime modified, String sha256) {}

    private Digests() {}

    /**
     * {@link #sha256(Path)}, read again only when the file's size or modification time changed: for
     * jars hashed on every deploy, where hashing a few megabytes each time would delay the job.
     */
    public static String sha256Remembered(Path file) {
        Path key = file.toAbsolutePath().normalize();
        BasicFileAttributes now;
        try {
            now = Files.readAttributes(key, BasicFileAttributes.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        FileDigest known = REMEMBERED.get(key);
        if (known != null && known.size() == now.size() && known.modified().equals(now.lastModifiedTime())) {
            return known.sha256();
        }
        String sha = sha256(key);
        REMEMBERED.put(key, new FileDigest(now.size(), now.lastModifiedTime(), sha));
        return sha;
    }

    public static String sha256(Path file) {
        MessageDigest digest = newSha256();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(newSha256().digest(bytes));
    }

    public static String sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    public static MessageDigest newSha256() {
        try {
            return (MessageDigest) SHA256.clone();
        } catch (CloneNotSupportedException e) {
            return lookUpSha256();
        }
    }

    private static MessageDigest lookUpSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
