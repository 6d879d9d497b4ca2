package io.tributary.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/** What a role lets its holder do within a team. */
public enum Permission {
    APP_VIEW, APP_START, APP_STOP, APP_RESTART, APP_SAVEPOINT, APP_SYNC,
    CLUSTER_VIEW, CLUSTER_MANAGE, VARIABLE_VIEW, BUILD_VIEW, BUILD_RUN,
    ALERT_VIEW, ALERT_TEST, AUDIT_VIEW, TOKEN_MANAGE;

    /** {@code app:view} and the like. */
    @JsonValue
    public String yamlName() {
        return name().toLowerCase().replaceFirst("_", ":");
    }

    @JsonCreator
    public static Permission fromYamlName(String name) {
        return Arrays.stream(values())
                .filter(p -> p.yamlName().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown permission " + name));
    }

    public boolean isView() {
        return name().endsWith("_VIEW");
    }

    /** The permissions of the built-in roles {@code viewer}, {@code developer} and {@code admin}. */
    public static Set<Permission> ofBuiltInRole(String role) {
        EnumSet<Permission> viewer = EnumSet.noneOf(Permission.class);
        Arrays.stream(values()).filter(Permission::isView).forEach(viewer::add);
        return switch (role) {
            case "viewer" -> viewer;
            case "developer" -> {
                EnumSet<Permission> developer = EnumSet.copyOf(viewer);
                developer.addAll(EnumSet.of(APP_START, APP_STOP, APP_RESTART, APP_SAVEPOINT, APP_SYNC, BUILD_RUN));
                yield developer;
            }
            case "admin" -> EnumSet.allOf(Permission.class);
            default -> throw new IllegalArgumentException("not a built-in role: " + role);
        };
    }

    public static final Set<String> BUILT_IN_ROLES = Set.of("viewer", "developer", "admin");
}
