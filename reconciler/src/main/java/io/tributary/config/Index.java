package io.tributary.config;

import io.tributary.model.FlinkVersion;
import io.tributary.model.Kind;
import io.tributary.model.Resource;
import io.tributary.model.ResourceId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Every declared document by identity, and the scope rules for references: a team document sees
 * its own team's documents and platform-wide ones of the kinds that may be either; a team's
 * document shadows a platform one of the same name.
 */
final class Index {
    private final Map<ResourceId, Entry> declared = new LinkedHashMap<>();
    /** In declaration order; checks of every app ask for the few FlinkVersions, so no scan of all. */
    private final Map<Kind, List<Entry>> byKind = new EnumMap<>(Kind.class);
    private final List<ConfigError> errors;
    /** Files that declare nothing because they cannot be read or parsed. */
    private List<String> unparsed = List.of();

    Index(List<ConfigError> errors) {
        this.errors = errors;
    }

    /** The files that declare nothing because they cannot be read or parsed: a name missing elsewhere may be theirs. */
    void declaresNothing(List<String> files) {
        unparsed = List.copyOf(files);
    }

    /**
     * What follows "x does not exist" while a file does not parse, or nothing: the name may well be
     * declared there, and fixing that file is then the whole fix.
     */
    String unparsedNote() {
        if (unparsed.isEmpty()) {
            return "";
        }
        String files = unparsed.size() <= 3 ? String.join(", ", unparsed)
                : String.join(", ", unparsed.subList(0, 3)) + " and " + (unparsed.size() - 3) + " more";
        return "; it may be declared in " + files + (unparsed.size() == 1 ? ", which does not parse" : ", which do not parse")
                + ": fix " + (unparsed.size() == 1 ? "it" : "them") + " first";
    }

    /** Registers a document; a second one with the same identity is reported and left out. */
    boolean declare(Entry entry) {
        Entry earlier = declared.putIfAbsent(entry.id, entry);
        if (earlier != null) {
            errors.add(entry.error("/metadata/name", "duplicate " + entry.kind.yamlName() + " \""
                    + entry.id.qualifiedName() + "\": already declared at " + earlier.doc.describe("/metadata/name")));
            return false;
        }
        byKind.computeIfAbsent(entry.kind, k -> new ArrayList<>()).add(entry);
        return true;
    }

    boolean teamExists(String team) {
        return declared.containsKey(new ResourceId(Kind.TEAM, null, team));
    }

    List<Entry> entries(Kind kind) {
        return Collections.unmodifiableList(byKind.getOrDefault(kind, List.of()));
    }

    /** The document a name means from a team (null for platform documents), if any. */
    Optional<Entry> visible(Kind kind, String fromTeam, String name) {
        if (kind.scope() != Kind.Scope.PLATFORM && fromTeam != null) {
            Entry own = declared.get(new ResourceId(kind, fromTeam, name));
            if (own != null || kind.scope() == Kind.Scope.TEAM) {
                return Optional.ofNullable(own);
            }
        }
        return Optional.ofNullable(declared.get(new ResourceId(kind, null, name)));
    }

    List<String> visibleNames(Kind kind, String fromTeam) {
        TreeSet<String> names = new TreeSet<>();
        for (ResourceId id : declared.keySet()) {
            if (id.kind() == kind && (id.team() == null && kind.scope() != Kind.Scope.TEAM
                    || id.team() != null && id.team().equals(fromTeam))) {
                names.add(id.name());
            }
        }
        return new ArrayList<>(names);
    }

    /**
     * Resolves a reference written at {@code pointer} of {@code from}, reporting a missing or
     * out-of-scope target. Returns the target's record only when it loaded cleanly, so a broken
     * target is reported once, at itself.
     */
    <T extends Resource> Optional<T> reference(Entry from, String pointer, Kind kind, String name, String what,
            Class<T> type) {
        if (name == null) {
            return Optional.empty();
        }
        Optional<Entry> target = visible(kind, from.team(), name);
        if (target.isEmpty()) {
            Optional<ResourceId> elsewhere = declared.keySet().stream()
                    .filter(id -> id.kind() == kind && id.name().equals(name) && id.team() != null)
                    .findFirst();
            if (elsewhere.isPresent()) {
                String scope = from.team() == null ? "platform-wide documents can only use platform-wide " + what + "s"
                        : kind.scope() == Kind.Scope.TEAM ? "documents of team " + from.team() + " can use their own team's "
                                + what + "s only"
                        : "documents of team " + from.team() + " can use their own team's and platform-wide " + what + "s";
                errors.add(from.error(pointer, what + " \"" + name + "\" belongs to team " + elsewhere.get().team()
                        + "; " + scope));
            } else {
                errors.add(from.error(pointer, what + " \"" + name + "\" does not exist"
                        + Suggestions.hint(name, visibleNames(kind, from.team())) + unparsedNote()));
            }
            return Optional.empty();
        }
        Entry found = target.get();
        return found.usable && type.isInstance(found.resource) ? Optional.of(type.cast(found.resource)) : Optional.empty();
    }

    /** The FlinkVersion marked default, or the only one; empty when none can be told. */
    Optional<FlinkVersion> defaultFlinkVersion() {
        List<Entry> versions = entries(Kind.FLINK_VERSION);
        List<FlinkVersion> loaded = versions.stream()
                .filter(e -> e.resource instanceof FlinkVersion)
                .map(e -> (FlinkVersion) e.resource)
                .toList();
        if (versions.size() == 1) {
            return loaded.stream().findFirst();
        }
        return loaded.stream().filter(v -> v.spec().isDefault()).findFirst();
    }

    /** True when a default exists or cannot be judged because a FlinkVersion document is broken. */
    boolean defaultFlinkVersionKnownOrUnclear() {
        return defaultFlinkVersion().isPresent() || entries(Kind.FLINK_VERSION).stream().anyMatch(e -> !e.usable);
    }
}
