package io.tributary.model;

import java.util.Arrays;
import java.util.Optional;

/** The kinds of document a config repository holds, with where each may live. */
public enum Kind {
    FLINK_VERSION("FlinkVersion", Scope.PLATFORM),
    CLUSTER("Cluster", Scope.EITHER),
    APPLICATION("Application", Scope.TEAM),
    VARIABLE("Variable", Scope.EITHER),
    TEAM("Team", Scope.PLATFORM),
    USER("User", Scope.PLATFORM),
    ROLE("Role", Scope.PLATFORM),
    PROJECT("Project", Scope.TEAM),
    ALERT_CHANNEL("AlertChannel", Scope.EITHER),
    ALERT_POLICY("AlertPolicy", Scope.EITHER),
    SETTINGS("Settings", Scope.PLATFORM);

    /** Whether a document of a kind names a team in its metadata. */
    public enum Scope { PLATFORM, TEAM, EITHER }

    public static final String API_VERSION = "tributary.io/v1";

    private final String yamlName;
    private final Scope scope;

    Kind(String yamlName, Scope scope) {
        this.yamlName = yamlName;
        this.scope = scope;
    }

    /** The name written in the {@code kind:} field. */
    public String yamlName() {
        return yamlName;
    }

    public Scope scope() {
        return scope;
    }

    /** The schema file under {@code schema/} that describes this kind, e.g. {@code alert-channel.json}. */
    public String schemaFile() {
        return yamlName.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase() + ".json";
    }

    public static Optional<Kind> fromYamlName(String name) {
        return Arrays.stream(values()).filter(k -> k.yamlName.equals(name)).findFirst();
    }
}
