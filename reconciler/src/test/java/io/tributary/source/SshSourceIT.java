package io.tributary.source;

import io.tributary.store.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.source.SourceException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyEncryptionContext;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.UploadPack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ssh:// sources against an in-process Apache MINA SSHD server that runs {@code git-upload-pack}
 * with JGit's UploadPack over one repository, admitting one public key.
 */
class SshSourceIT {
    private static final String PASSPHRASE = "correct horse battery staple";

    @TempDir
    static Path shared;

    private static TestGit remote;
    private static SshServer server;
    private static KeyPair hostKey;
    private static KeyPair clientKey;
    private static Path plainKey;
    private static Path encryptedKey;
    private static Path strangerKey;
    private static String url;

    @TempDir
    Path tmp;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));

    @BeforeAll
    static void startServer() throws Exception {
        remote = TestGit.init(shared.resolve("remote"), "main");
        remote.write("apps.yaml", "first").commit("first over ssh");
        hostKey = ecKey();
        clientKey = ecKey();
        plainKey = writePrivateKey(clientKey, null, shared.resolve("id_plain"));
        encryptedKey = writePrivateKey(clientKey, PASSPHRASE, shared.resolve("id_encrypted"));
        strangerKey = writePrivateKey(ecKey(), null, shared.resolve("id_stranger"));

        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        server.setPublickeyAuthenticator((user, key, session) -> "git".equals(user) && KeyUtils.compareKeys(key, clientKey.getPublic()));
        server.setCommandFactory((channel, command) -> new UploadPackCommand(command, remote.git.getRepository()));
        server.start();
        url = "ssh://git@127.0.0.1:" + server.getPort() + "/acme/config.git";
    }

    @AfterAll
    static void stopServer() throws IOException {
        if (server != null) {
            server.stop(true);
        }
        if (remote != null) {
            remote.close();
        }
    }

    @BeforeEach
    void knownHostsOfAnotherTestDoNotCount() throws IOException {
        Exports.deleteTree(tmp.resolve("work"));
    }

    private ConfigSource open(Credentials credentials) {
        return ConfigSource.open(new SourceSpec(url, "main", null, credentials), tmp.resolve("work"), clock);
    }

    @Test
    void fetchesWithAKeyAndTrustsTheHostOnFirstContact() throws Exception {
        try (ConfigSource source = open(new Credentials.SshKey(plainKey, null, null))) {
            Checkout first = source.fetch();
            assertThat(first.revision().name()).isEqualTo("main@sha1:" + remote.git.getRepository().resolve("main").name());
            assertThat(GitSourceTest.files(first.root())).containsExactly(Map.entry("apps.yaml", readRemote("apps.yaml")));
            assertThat(source.describe()).startsWith("git " + url + " ref=main auth=ssh-key(" + plainKey);

            List<Path> knownHosts;
            try (var files = Files.walk(tmp.resolve("work/ssh"))) {
                knownHosts = files.filter(p -> p.getFileName().toString().equals("known_hosts")).toList();
            }
            assertThat(knownHosts).hasSize(1);
            assertThat(Files.readString(knownHosts.get(0)))
                    .startsWith("[127.0.0.1]:" + server.getPort() + " ")
                    .contains(PublicKeyEntry.toString(hostKey.getPublic()));

            RevCommit next = remote.write("apps.yaml", "second " + System.nanoTime()).commit("second over ssh");
            assertThat(source.fetch().revision().name()).as("the recorded host is trusted again").isEqualTo("main@sha1:" + next.name());
        }
    }

    @Test
    void anEncryptedKeyWorksWithItsPassphrase() {
        try (ConfigSource source = open(new Credentials.SshKey(encryptedKey, PASSPHRASE, null))) {
            assertThat(source.fetch().revision().name()).startsWith("main@sha1:");
            assertThat(source.describe()).doesNotContain(PASSPHRASE);
        }
    }

    @Test
    void aWrongPassphraseIsAnAuthenticationError() {
        try (ConfigSource source = open(new Credentials.SshKey(encryptedKey, "wrong", null))) {
            assertThatThrownBy(source::fetch)
                    .satisfies(e -> assertThat(((SourceException) e).reason()).isEqualTo(Reason.AUTHENTICATION))
                    .hasMessageContaining(encryptedKey.toString())
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("wrong"));
        }
    }

    @Test
    void aKeyTheServerDoesNotKnowIsRefused() {
        try (ConfigSource source = open(new Credentials.SshKey(strangerKey, null, null))) {
            assertThatThrownBy(source::fetch)
                    .satisfies(e -> assertThat(((SourceException) e).reason()).isEqualTo(Reason.AUTHENTICATION))
                    .hasMessage(url + " refused the credentials; check that the key's public half is registered with the server"
                            + " (a deploy key) and the passphrase");
        }
    }

    @Test
    void aGivenKnownHostsFileMustHoldTheServersKey() throws Exception {
        Path knownHosts = tmp.resolve("known_hosts");
        Files.writeString(knownHosts, "[127.0.0.1]:" + server.getPort() + " " + PublicKeyEntry.toString(hostKey.getPublic()) + "\n");
        try (ConfigSource source = open(new Credentials.SshKey(plainKey, null, knownHosts))) {
            assertThat(source.fetch().revision().name()).startsWith("main@sha1:");
        }
        assertThat(Files.readAllLines(knownHosts)).as("a given file is only read").hasSize(1);
    }

    @Test
    void aHostMissingFromTheGivenKnownHostsIsNotTrusted() throws Exception {
        Path knownHosts = tmp.resolve("known_hosts");
        Files.writeString(knownHosts, "other.example.com " + PublicKeyEntry.toString(hostKey.getPublic()) + "\n");
        try (ConfigSource source = open(new Credentials.SshKey(plainKey, null, knownHosts))) {
            assertThatThrownBy(source::fetch)
                    .satisfies(e -> assertThat(((SourceException) e).reason()).isEqualTo(Reason.AUTHENTICATION))
                    .hasMessageContaining("[127.0.0.1]:" + server.getPort() + " is not in " + knownHosts
                            + "; add its key (ssh-keyscan -p " + server.getPort() + " 127.0.0.1)");
        }
    }

    @Test
    void aChangedHostKeyIsRefused() throws Exception {
        Path knownHosts = tmp.resolve("known_hosts");
        PublicKey impostor = ecKey().getPublic();
        Files.writeString(knownHosts, "[127.0.0.1]:" + server.getPort() + " " + PublicKeyEntry.toString(impostor) + "\n");
        try (ConfigSource source = open(new Credentials.SshKey(plainKey, null, knownHosts))) {
            assertThatThrownBy(source::fetch)
                    .satisfies(e -> assertThat(((SourceException) e).reason()).isEqualTo(Reason.AUTHENTICATION))
                    .hasMessageContaining("is not the one recorded in " + knownHosts);
        }
        // accept-new does not accept a changed key either
        Path work = tmp.resolve("work");
        try (ConfigSource source = open(new Credentials.SshKey(plainKey, null, null))) {
            source.fetch();
        }
        Path recorded;
        try (var files = Files.walk(work.resolve("ssh"))) {
            recorded = files.filter(p -> p.getFileName().toString().equals("known_hosts")).findFirst().orElseThrow();
        }
        Files.writeString(recorded, "[127.0.0.1]:" + server.getPort() + " " + PublicKeyEntry.toString(impostor) + "\n");
        try (ConfigSource source = open(new Credentials.SshKey(plainKey, null, null))) {
            assertThatThrownBy(source::fetch)
                    .satisfies(e -> assertThat(((SourceException) e).reason()).isEqualTo(Reason.AUTHENTICATION))
                    .hasMessageContaining("is not the one recorded");
        }
    }

    @Test
    void aMissingKeyFileIsAnAuthenticationErrorNamingIt() {
        Path missing = tmp.resolve("no_such_key");
        try (ConfigSource source = open(new Credentials.SshKey(missing, null, null))) {
            assertThatThrownBy(source::fetch)
                    .satisfies(e -> assertThat(((SourceException) e).reason()).isEqualTo(Reason.AUTHENTICATION))
                    .hasMessageStartingWith("the SSH key file " + missing + " does not exist or cannot be read");
        }
    }

    private static String readRemote(String path) throws IOException {
        return Files.readString(remote.dir.resolve(path));
    }

    private static KeyPair ecKey() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        return generator.generateKeyPair();
    }

    private static Path writePrivateKey(KeyPair key, String passphrase, Path file) throws Exception {
        OpenSSHKeyEncryptionContext encryption = null;
        if (passphrase != null) {
            encryption = new OpenSSHKeyEncryptionContext();
            encryption.setCipherName("AES");
            encryption.setCipherMode("CTR");
            encryption.setCipherType("256");
            encryption.setPassword(passphrase);
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(key, "test", encryption, out);
        }
        return file;
    }

    /** {@code git-upload-pack '<any path>'} served from the one repository; other commands fail. */
    private static final class UploadPackCommand implements Command {
        private final String command;
        private final Repository repository;
        private InputStream in;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;

        UploadPackCommand(String command, Repository repository) {
            this.command = command;
            this.repository = repository;
        }

        @Override
        public void setInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            this.err = err;
        }

        @Override
        public void setExitCallback(ExitCallback exit) {
            this.exit = exit;
        }

        @Override
        public void start(ChannelSession channel, Environment env) {
            Thread thread = new Thread(() -> {
                int status = 0;
                try {
                    if (!command.startsWith("git-upload-pack")) {
                        err.write(("unsupported command: " + command + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                        err.flush();
                        status = 1;
                    } else {
                        UploadPack pack = new UploadPack(repository);
                        String protocol = env.getEnv().get("GIT_PROTOCOL");
                        if (protocol != null) {
                            pack.setExtraParameters(List.of(protocol.split(":")));
                        }
                        pack.upload(in, out, err);
                    }
                } catch (IOException e) {
                    status = 1;
                } finally {
                    exit.onExit(status);
                }
            }, "test-upload-pack");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void destroy(ChannelSession channel) {
            // the upload thread ends with its streams
        }
    }
}
