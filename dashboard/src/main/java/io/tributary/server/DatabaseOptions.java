package io.tributary.server;

import io.tributary.cli.SecretFiles;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where the service keeps its state, as {@code serve} and {@code user set-password} are told: the data
 * directory (and its embedded PostgreSQL), or an external PostgreSQL server with its user and password.
 */
public final class DatabaseOptions {
    @Option(names = "--data-dir", defaultValue = "${env:TRIBUTARY_DATA_DIR:-${sys:user.home}/.tributary}",
            paramLabel = "DIR", description = "Where the embedded database, Flink versions, clusters and checkouts live.")
    Path dataDir;

    @Option(names = "--database", defaultValue = "${env:TRIBUTARY_DATABASE}", paramLabel = "JDBC_URL",
            description = "A PostgreSQL server (jdbc:postgresql://host:5432/db); default: embedded under --data-dir.")
    String database;

    @Option(names = "--database-user", defaultValue = "${env:TRIBUTARY_DATABASE_USER}", paramLabel = "USER",
            description = "The user to log in to the --database server as (default: the URL's own, if it names one).")
    String databaseUser;

    @Option(names = "--database-password-file", defaultValue = "${env:TRIBUTARY_DATABASE_PASSWORD_FILE}",
            paramLabel = "FILE", description = "File holding the database password (or the password itself in"
                    + " TRIBUTARY_DATABASE_PASSWORD), e.g. a mounted Kubernetes Secret.")
    Path databasePasswordFile;

    public Path dataDir() {
        return dataDir.toAbsolutePath();
    }

    /** The external server's JDBC URL; null for the embedded database of {@link #dataDir()}. */
    public String database() {
        return database == null || database.isBlank() ? null : database;
    }

    public String databaseUser() {
        return databaseUser;
    }

    /** The file wins over the variable; neither: no password (or one in the JDBC URL). */
    public String databasePassword() {
        if (databasePasswordFile != null) {
            return SecretFiles.read(databasePasswordFile, "database password", "--database-password-file",
                    "TRIBUTARY_DATABASE_PASSWORD_FILE");
        }
        return SecretFiles.variable("TRIBUTARY_DATABASE_PASSWORD");
    }
}
