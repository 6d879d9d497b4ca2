package io.tributary.cli;

import io.tributary.source.Credentials;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How a command reaches a Git repository over https or ssh: the options {@code serve} and {@code plan} share. */
public final class GitAccess {
    /** The passphrase of {@code --ssh-key}, read only from the environment. */
    public static final String SSH_KEY_PASSPHRASE = "TRIBUTARY_SSH_KEY_PASSPHRASE";

    @Option(names = "--git-token-file", defaultValue = "${env:TRIBUTARY_GIT_TOKEN_FILE}", paramLabel = "FILE",
            description = "File holding an access token for an https repository.")
    Path tokenFile;

    @Option(names = "--ssh-key", defaultValue = "${env:TRIBUTARY_SSH_KEY}", paramLabel = "FILE",
            description = "Private key for an ssh repository (its passphrase, if any, in " + SSH_KEY_PASSPHRASE + ").")
    Path sshKey;

    @Option(names = "--ssh-known-hosts", defaultValue = "${env:TRIBUTARY_SSH_KNOWN_HOSTS}", paramLabel = "FILE",
            description = "known_hosts file the ssh server's key must be in (default: accept a new host once, then"
                    + " hold it to that key).")
    Path sshKnownHosts;

    /** @throws SecretFiles.Unreadable when the token file cannot be read */
    public Credentials credentials() {
        if (tokenFile != null) {
            return new Credentials.Token(SecretFiles.read(tokenFile, "token", "--git-token-file",
                    "TRIBUTARY_GIT_TOKEN_FILE"));
        }
        if (sshKey != null) {
            return new Credentials.SshKey(sshKey, SecretFiles.variable(SSH_KEY_PASSPHRASE), sshKnownHosts);
        }
        return new Credentials.None();
    }
}
