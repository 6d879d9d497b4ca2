package io.tributary.server.auth;

import io.tributary.model.User;
import io.tributary.server.DatabaseOptions;
import io.tributary.store.AccountStore;
import io.tributary.store.AuditEvent;
import io.tributary.store.Database;
import io.tributary.store.Store;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tributary user ...}: what an operator does to users' secrets on the service's host. */
@Command(name = "user", mixinStandardHelpOptions = true,
        description = "Manages users' passwords (users themselves are declared in Git, kind User).",
        subcommands = {UserCommand.SetPassword.class, CommandLine.HelpCommand.class})
public final class UserCommand {

    /**
     * {@code tributary user set-password NAME}: reads the password from the terminal (twice) or from
     * stdin (one line), never from a flag, so that it stays out of shell history and process lists.
     * It writes the store directly: the embedded database of {@code --data-dir}, reached through the
     * running service's server when one runs on that folder, or the server of {@code --database}.
     */
    @Command(name = "set-password", mixinStandardHelpOptions = true,
            description = {"Sets a user's password and logs them out everywhere.",
                "The password is read from the terminal, or from stdin when it is not one:",
                "  printf '%%s\\n' \"$PASSWORD\" | tributary user set-password alice",
                "Works while the service runs.",
                "Only users declared in Git (kind User) can log in; a password set for",
                "another name is kept, and works once Git declares that user."},
            exitCodeOnInvalidInput = 2, exitCodeOnExecutionException = 1)
    static final class SetPassword implements Callable<Integer> {
        private static final Pattern USER_NAME = Pattern.compile("[a-z0-9]([-a-z0-9._]*[a-z0-9])?");

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME", description = "The user's name, as metadata.name of its User in Git.")
        String user;

        @Mixin
        DatabaseOptions store;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (!USER_NAME.matcher(user).matches()) {
                err.println("error: \"" + user + "\" is not a user name: lower-case letters, digits, '-', '.', '_', "
                        + "starting and ending with a letter or digit (as metadata.name of a User)");
                return 2;
            }
            Optional<String> password;
            try {
                password = readPassword(out, err);
            } catch (IOException e) {
                err.println("error: cannot read the password: " + e.getMessage());
                return 1;
            }
            if (password.isEmpty()) {
                return 2;
            }
            Optional<String> weakness = Passwords.weakness(password.get());
            if (weakness.isPresent()) {
                err.println("error: " + weakness.get() + "; nothing was changed");
                return 2;
            }
            Clock clock = Clock.systemUTC();
            try (Database db = open()) {
                new Passwords(new AccountStore(db, clock)).set(user, password.get());
                new Store(db, clock).audit(new AuditEvent(0, clock.instant(),
                        "cli:" + System.getProperty("user.name", "unknown"), "set-password", "user " + user,
                        "tributary user set-password", null));
            } catch (RuntimeException e) {
                err.println("error: cannot set the password: " + e.getMessage());
                err.println(store.database() == null
                        ? "(is --data-dir " + store.dataDir() + " the service's data directory?)"
                        : "(check --database, --database-user and the password: --database-password-file or"
                                + " TRIBUTARY_DATABASE_PASSWORD)");
                return 1;
            }
            out.println("Password of " + user + " set; their sessions were ended.");
            if (!User.BOOTSTRAP_ADMIN.equals(user)) {
                out.println("They can log in while Git declares a User named " + user + ".");
            }
            return 0;
        }

        private Database open() {
            if (store.database() != null) {
                return Database.connect(store.database(), store.databaseUser(), store.databasePassword());
            }
            Path dir = store.dataDir();
            if (!java.nio.file.Files.isDirectory(dir.resolve("postgres"))) {
                // not a silent new database that no service reads: the password would never work
                throw new IllegalStateException("there is no database in " + dir + ": no service has run with "
                        + "this data directory; pass the --data-dir the service runs with, or --database for an "
                        + "external PostgreSQL (the bootstrap admin's first password can come from "
                        + "TRIBUTARY_ADMIN_PASSWORD)");
            }
            return Database.embeddedOrRunning(dir);
        }

        /** Twice from the terminal, or one line from stdin; empty (after saying why) when there is none. */
        private Optional<String> readPassword(PrintWriter out, PrintWriter err) throws IOException {
            Console console = System.console();
            if (console != null) {
                char[] first = console.readPassword("New password of %s: ", user);
                char[] second = first == null ? null : console.readPassword("Again: ");
                try {
                    if (first == null || second == null) {
                        err.println("error: no password given; nothing was changed");
                        return Optional.empty();
                    }
                    if (!Arrays.equals(first, second)) {
                        err.println("error: the two passwords differ; nothing was changed");
                        return Optional.empty();
                    }
                    return Optional.of(new String(first));
                } finally {
                    if (first != null) {
                        Arrays.fill(first, ' ');
                    }
                    if (second != null) {
                        Arrays.fill(second, ' ');
                    }
                }
            }
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (line == null || line.isEmpty()) {
                err.println("error: no password on stdin; pipe it in as one line, "
                        + "or run the command in a terminal to be asked for it");
                return Optional.empty();
            }
            return Optional.of(line);
        }
    }
}
