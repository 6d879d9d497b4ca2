package io.tributary.source;

import java.io.IOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.sshd.ServerKeyDatabase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SSH server keys a source trusts, in an OpenSSH known_hosts file. With {@code acceptNew} a
 * host not in the file yet is trusted on first sight and its key appended (OpenSSH's
 * {@code StrictHostKeyChecking=accept-new}); a host whose key differs from the recorded one is
 * always refused. Keeps the last refusal so the error can say why.
 */
final class KnownHosts implements ServerKeyDatabase {
    private static final Logger LOG = LoggerFactory.getLogger(KnownHosts.class);
    private static final int SSH_PORT = 22;

    private final Path file;
    private final boolean acceptNew;
    private String lastRefusal;

    KnownHosts(Path file, boolean acceptNew) {
        this.file = file;
        this.acceptNew = acceptNew;
    }

    Path file() {
        return file;
    }

    /** Why the last server key was refused, for the error message; null when none was. */
    synchronized String lastRefusal() {
        return lastRefusal;
    }

    /** Before a new connection: an old refusal says nothing about it. */
    synchronized void forgetRefusal() {
        lastRefusal = null;
    }

    @Override
    public synchronized List<PublicKey> lookup(String connectAddress, InetSocketAddress remoteAddress, Configuration config) {
        List<PublicKey> keys = new ArrayList<>();
        for (KnownHostEntry entry : entriesFor(connectAddress)) {
            PublicKey key = key(entry);
            if (key != null && entry.getMarker() == null) {
                keys.add(key);
            }
        }
        return keys;
    }

    @Override
    public synchronized boolean accept(String connectAddress, InetSocketAddress remoteAddress, PublicKey serverKey,
            Configuration config, CredentialsProvider provider) {
        String fingerprint = KeyUtils.getFingerPrint(serverKey);
        List<KnownHostEntry> entries = entriesFor(connectAddress);
        boolean known = false;
        for (KnownHostEntry entry : entries) {
            PublicKey key = key(entry);
            if (key == null) {
                continue;
            }
            boolean same = KeyUtils.compareKeys(key, serverKey);
            if ("revoked".equals(entry.getMarker()) && same) {
                return refuse("the host key of " + connectAddress + " (" + fingerprint + ") is marked revoked in " + file);
            }
            if (entry.getMarker() != null) {
                continue;
            }
            if (same) {
                lastRefusal = null;
                return true;
            }
            known = true;
        }
        if (known) {
            return refuse("the host key of " + connectAddress + " (" + fingerprint + ") is not the one recorded in "
                    + file + "; if the server's key really changed, replace its line");
        }
        if (!acceptNew) {
            int port = portOf(connectAddress);
            return refuse(connectAddress + " is not in " + file + "; add its key (ssh-keyscan "
                    + (port == SSH_PORT ? "" : "-p " + port + " ") + hostOf(connectAddress) + ")");
        }
        try {
            record(connectAddress, serverKey);
        } catch (IOException | RuntimeException e) {
            return refuse("cannot record the host key of " + connectAddress + " in " + file + ": " + e.getMessage());
        }
        LOG.info("trusted new SSH host on first connection host={} key={} knownHosts={}", connectAddress, fingerprint, file);
        lastRefusal = null;
        return true;
    }

    private boolean refuse(String why) {
        lastRefusal = why;
        LOG.warn("refused SSH host key: {}", why);
        return false;
    }

    private List<KnownHostEntry> entriesFor(String connectAddress) {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        String host = hostOf(connectAddress);
        int port = portOf(connectAddress);
        List<KnownHostEntry> matching = new ArrayList<>();
        try {
            for (KnownHostEntry entry : KnownHostEntry.readKnownHostEntries(file)) {
                if (entry.isHostMatch(host, port)) {
                    matching.add(entry);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot read known hosts file={} error={}", file, e.toString());
        }
        return matching;
    }

    private static PublicKey key(KnownHostEntry entry) {
        try {
            return entry.getKeyEntry().resolvePublicKey(null, PublicKeyEntryResolver.IGNORING);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            return null;
        }
    }

    private void record(String connectAddress, PublicKey key) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        String line = connectAddress + " " + PublicKeyEntry.toString(key) + System.lineSeparator();
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            out.write(line);
        }
    }

    /** {@code host} or {@code [host]:port}, as JGit and known_hosts write them. */
    static String hostOf(String connectAddress) {
        if (connectAddress.startsWith("[")) {
            int close = connectAddress.indexOf(']');
            if (close > 0) {
                return connectAddress.substring(1, close);
            }
        }
        return connectAddress;
    }

    static int portOf(String connectAddress) {
        if (connectAddress.startsWith("[")) {
            int colon = connectAddress.indexOf("]:");
            if (colon > 0) {
                try {
                    return Integer.parseInt(connectAddress.substring(colon + 2));
                } catch (NumberFormatException e) {
                    return SSH_PORT;
                }
            }
        }
        return SSH_PORT;
    }
}
