package io.tributary.source;

import java.nio.file.Path;
import java.util.List;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.sshd.KeyPasswordProvider;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

/**
 * JGit's SSH client (Apache MINA SSHD) set up for one key and one known_hosts policy, and nothing
 * else: no {@code ~/.ssh/config}, no other identities, no agent. {@code sshDir} is a private folder
 * standing in for {@code ~/.ssh}.
 */
final class SshKeys {
    private SshKeys() {}

    static SshdSessionFactory sessionFactory(Credentials.SshKey key, KnownHosts knownHosts, Path sshDir) {
        Path privateKey = key.privateKey().toAbsolutePath();
        return new SshdSessionFactoryBuilder()
                .setHomeDirectory(sshDir.toFile())
                .setSshDirectory(sshDir.toFile())
                // a file that is never written: no ssh config of the service user's applies
                .setConfigFile(dir -> sshDir.resolve("config").toFile())
                .setDefaultIdentities(dir -> List.of(privateKey))
                .setDefaultKnownHostsFiles(dir -> List.of(knownHosts.file()))
                .setPreferredAuthentications("publickey")
                .setKeyPasswordProvider(credentials -> new FixedPassphrase(key.passphrase()))
                .setServerKeyDatabase((home, dir) -> knownHosts)
                .build(null);
    }

    /** The passphrase given with the key, tried once: a wrong one fails instead of prompting. */
    private static final class FixedPassphrase implements KeyPasswordProvider {
        private final String passphrase;

        FixedPassphrase(String passphrase) {
            this.passphrase = passphrase;
        }

        @Override
        public char[] getPassphrase(URIish uri, int attempt) {
            return passphrase == null ? null : passphrase.toCharArray();
        }

        @Override
        public void setAttempts(int attempts) {
            // one attempt, whatever is asked
        }

        @Override
        public int getAttempts() {
            return 1;
        }

        @Override
        public boolean keyLoaded(URIish uri, int attempt, Exception error) {
            return false;
        }
    }
}
