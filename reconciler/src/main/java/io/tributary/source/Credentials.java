package io.tributary.source;

import java.nio.file.Path;
import java.util.Objects;

/** How a Git source authenticates. {@code toString()} never shows a secret. */
public sealed interface Credentials permits Credentials.None, Credentials.Token, Credentials.SshKey {

    /** Anonymous, or for ssh: the service user's own {@code ~/.ssh} set-up. */
    record None() implements Credentials {
        @Override
        public String toString() {
            return "(none)";
        }
    }

    /**
     * An access token for an https URL (GitHub, GitLab, Gitea, Bitbucket access tokens), sent as
     * the password of HTTP basic authentication with the user name {@value #USER_NAME}.
     */
    record Token(String token) implements Credentials {
        /** GitHub requires this user name with installation tokens; GitLab and Gitea accept any. */
        public static final String USER_NAME = "x-access-token";

        public Token {
            if (token == null || token.isBlank()) {
                throw new IllegalArgumentException("the token is empty");
            }
            token = token.strip();
        }

        @Override
        public String toString() {
            return "Token[***]";
        }
    }

    /**
     * A private key for ssh URLs.
     *
     * @param privateKey a private key file in OpenSSH format (as ssh-keygen writes it)
     * @param passphrase the key's passphrase, null when the key is not encrypted
     * @param knownHosts a known_hosts file that must hold the server's key; null accepts a host
     *     seen for the first time and records its key (in the work directory), then holds it to it
     */
    record SshKey(Path privateKey, String passphrase, Path knownHosts) implements Credentials {
        public SshKey {
            Objects.requireNonNull(privateKey, "privateKey");
        }

        @Override
        public String toString() {
            return "SshKey[privateKey=" + privateKey + ", passphrase=" + (passphrase == null ? "none" : "***")
                    + ", knownHosts=" + (knownHosts == null ? "accept-new" : knownHosts) + "]";
        }
    }
}
