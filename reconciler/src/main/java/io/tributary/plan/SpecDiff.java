package io.tributary.plan;

import io.tributary.model.Application;
import io.tributary.model.Cluster;
import io.tributary.model.DesiredState;
import io.tributary.model.FlinkVersion;
import io.tributary.model.Variable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Why a job or a managed cluster would be replaced: the fields that shape it (the ones
 * {@link SpecHash} digests) compared one by one between two loaded revisions. Specs are compared
 * after variables were substituted, so a field whose difference is exactly a changed variable's old
 * value turned into its new one is reported as that variable's change.
 *
 * <p>Two renderings of the same comparison: {@link #app} as the short reasons {@code tributary plan}
 * prints, {@link #appFields} as one {@link Change} per field for the dashboard and the API.
 */
public final class SpecDiff {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /** A variable's value as an app or cluster of one team sees it, before and after. */
    record ValueChange(String name, String before, String after) {}

    /**
     * One field that differs, for people: {@code summary} is {@code parallelism: 2 -> 4},
     * {@code job.sql: 2 lines added, 1 removed}, {@code variable kafka_brokers: a -> b}, ...
     *
     * @param field the field's path in the spec ({@code flinkConfiguration.<key>} for a Flink option,
     *     {@code variables.<name>} for a variable)
     * @param before the old value as shown, {@code (none)} when it was absent; null when not shown (a
     *     long or multi-line text, a structure, or a value that may hold a credential)
     * @param after the new value, as {@code before}
     */
    public record Change(String field, String before, String after, String summary) {}

    /** One compared field that differs: its values, and the changed variables that explain it, if they do. */
    private record FieldDiff(String field, JsonNode before, JsonNode after, List<ValueChange> explainedBy) {}

    private SpecDiff() {}

    /** {@code job.sql changed}, {@code parallelism 2 -> 4}, {@code variable kafka_brokers changed}, ...; empty when equal. */
    public static List<String> app(Application before, DesiredState beforeState, Application after,
            DesiredState afterState) {
        Set<String> reasons = new LinkedHashSet<>();
        flinkVersion(beforeState.flinkVersionOf(before), afterState.flinkVersionOf(after))
                .ifPresent(v -> reasons.add(v.reason()));
        appDiffs(before, beforeState, after, afterState).forEach(d -> reasons.addAll(reasons(d)));
        return List.copyOf(reasons);
    }

    /**
     * Every field that shapes the job and differs, one {@link Change} each (a changed variable once,
     * with its values); empty when equal. Secret variables are never substituted into specs, so no
     * secret is shown; values of Flink options that name a credential are not shown either.
     */
    public static List<Change> appFields(Application before, DesiredState beforeState, Application after,
            DesiredState afterState) {
        List<Change> changes = new ArrayList<>();
        flinkVersion(beforeState.flinkVersionOf(before), afterState.flinkVersionOf(after))
                .ifPresent(v -> changes.add(v.change()));
        Set<String> variables = new LinkedHashSet<>();
        for (FieldDiff diff : appDiffs(before, beforeState, after, afterState)) {
            if (!diff.explainedBy().isEmpty()) {
                for (ValueChange v : diff.explainedBy()) {
                    if (variables.add(v.name())) {
                        changes.add(new Change("variables." + v.name(), v.before(), v.after(),
                                "variable " + v.name() + ": " + v.before() + " -> " + v.after()));
                    }
                }
                continue;
            }
            changes.addAll(fields(diff));
        }
        return List.copyOf(changes);
    }

    private static List<FieldDiff> appDiffs(Application before, DesiredState beforeState, Application after,
            DesiredState afterState) {
        List<ValueChange> variables = changedVariables(after.metadata().team(), beforeState, afterState);
        List<FieldDiff> diffs = new ArrayList<>();
        Application.Spec a = before.spec();
        Application.Spec b = after.spec();
        compare("deployment", a.deployment(), b.deployment(), variables, diffs);
        compare("job.type", a.job().type(), b.job().type(), variables, diffs);
        compare("job.sql", sqlText(a), sqlText(b), variables, diffs);
        compare("job.jar", withoutDigest(a.job().jar()), withoutDigest(b.job().jar()), variables, diffs);
        // a Project's jar rebuilt from a new commit: "artifact changed"
        compare("artifact", a.projectArtifactSha256(), b.projectArtifactSha256(), variables, diffs);
        compare("job.dependencies", a.job().dependencies(), b.job().dependencies(), variables, diffs);
        compare("parallelism", a.parallelism(), b.parallelism(), variables, diffs);
        compare("checkpoints", a.checkpoints(), b.checkpoints(), variables, diffs);
        compare("savepoints.directory", a.savepoints() == null ? null : a.savepoints().directory(),
                b.savepoints() == null ? null : b.savepoints().directory(), variables, diffs);
        compare("flinkConfiguration", a.flinkConfiguration(), b.flinkConfiguration(), variables, diffs);
        return diffs;
    }

    /** Why a managed cluster restarts: its Flink version or any field of its spec. */
    public static List<String> cluster(Cluster before, DesiredState beforeState, Cluster after,
            DesiredState afterState) {
        List<ValueChange> variables = changedVariables(after.metadata().team(), beforeState, afterState);
        Set<String> reasons = new LinkedHashSet<>();
        Cluster.Spec a = before.spec();
        Cluster.Spec b = after.spec();
        flinkVersion(beforeState.flinkVersion(a.flinkVersion()), afterState.flinkVersion(b.flinkVersion()))
                .ifPresent(v -> reasons.add(v.reason()));
        List<FieldDiff> diffs = new ArrayList<>();
        compare("mode", a.mode(), b.mode(), variables, diffs);
        compare("managed", a.managed(), b.managed(), variables, diffs);
        compare("standalone", a.standalone(), b.standalone(), variables, diffs);
        compare("yarn", a.yarn(), b.yarn(), variables, diffs);
        compare("kubernetes", a.kubernetes(), b.kubernetes(), variables, diffs);
        compare("flinkConfiguration", a.flinkConfiguration(), b.flinkConfiguration(), variables, diffs);
        diffs.forEach(d -> reasons.addAll(reasons(d)));
        return List.copyOf(reasons);
    }

    private static Application.Jar withoutDigest(Application.Jar jar) {
        if (jar == null || jar.project() == null || jar.project().sha256() == null) {
            return jar;
        }
        return new Application.Jar(jar.maven(), jar.url(), jar.project().withSha256(null), jar.entryClass(), jar.args());
    }

    private static String sqlText(Application.Spec spec) {
        return spec.job().sql() == null ? null : spec.job().sql().text();
    }

    /** A Flink version change as {@code tributary plan} says it and as a field. */
    private record VersionChange(String reason, Change change) {}

    private static Optional<VersionChange> flinkVersion(Optional<FlinkVersion> a, Optional<FlinkVersion> b) {
        if (a.isEmpty() || b.isEmpty()) {
            if (a.equals(b)) {
                return Optional.empty();
            }
            String was = a.map(v -> v.metadata().name()).orElse("(none)");
            String now = b.map(v -> v.metadata().name()).orElse("(none)");
            return Optional.of(new VersionChange("flinkVersion changed",
                    new Change("flinkVersion", was, now, "flinkVersion: " + was + " -> " + now)));
        }
        String nameA = a.get().metadata().name();
        String nameB = b.get().metadata().name();
        if (!nameA.equals(nameB)) {
            return Optional.of(new VersionChange("flinkVersion " + nameA + " -> " + nameB,
                    new Change("flinkVersion", nameA, nameB, "flinkVersion: " + nameA + " -> " + nameB)));
        }
        if (!sameDistribution(a.get().spec(), b.get().spec())) {
            String was = describe(a.get().spec());
            String now = describe(b.get().spec());
            return Optional.of(new VersionChange("Flink version " + nameA + " changed (" + was + " -> " + now + ")",
                    new Change("flinkVersion", was, now, "flinkVersion: " + nameA + " changed, " + was + " -> " + now)));
        }
        return Optional.empty();
    }

    private static boolean sameDistribution(FlinkVersion.Spec a, FlinkVersion.Spec b) {
        return Objects.equals(a.version(), b.version()) && Objects.equals(a.home(), b.home());
    }

    private static String describe(FlinkVersion.Spec spec) {
        return spec.version() != null ? spec.version() : spec.home();
    }

    private static void compare(String field, Object before, Object after, List<ValueChange> variables,
            List<FieldDiff> diffs) {
        JsonNode a = JSON.valueToTree(before);
        JsonNode b = JSON.valueToTree(after);
        if (Objects.equals(a, b)) {
            return;
        }
        List<ValueChange> used = variables.stream().filter(v -> occursIn(v.before(), a)).toList();
        if (!used.isEmpty() && explains(a, b, used)) {
            List<ValueChange> shown = used.stream().filter(v -> occursIn(v.after(), b)).toList();
            if (!shown.isEmpty()) {
                diffs.add(new FieldDiff(field, a, b, shown));
                return;
            }
        }
        diffs.add(new FieldDiff(field, a, b, List.of()));
    }

    /** Values longer than this are said to have changed, not shown, by {@code tributary plan}. */
    private static final int SHOWN = 60;
    /** Values longer than this are said to have changed, not shown, on the dashboard. */
    private static final int SHOWN_IN_FIELDS = 200;
    /** More differing sub-fields than this are listed by name under their field. */
    private static final int LISTED = 3;
    /** Option names whose values may be credentials (as Flink's own log masking decides): never shown. */
    private static final Pattern SENSITIVE = Pattern.compile(
            "password|secret|token|apikey|api-key|api\\.key|credential|account\\.key|service-key|jaas\\.config"
                    + "|auth-params|basic-auth|http-headers");

    /** A field as {@code tributary plan} says it. */
    private static List<String> reasons(FieldDiff diff) {
        if (!diff.explainedBy().isEmpty()) {
            return diff.explainedBy().stream().map(v -> "variable " + v.name() + " changed").toList();
        }
        return describe(diff.field(), diff.before(), diff.after());
    }

    /**
     * {@code parallelism 1 -> 2}, {@code checkpoints.interval 30s -> 1m}, {@code job.sql changed},
     * {@code flinkConfiguration changed (state.backend.type)}.
     */
    private static List<String> describe(String field, JsonNode a, JsonNode b) {
        if (field.equals("flinkConfiguration") && isObject(a) && isObject(b)) {
            Set<String> keys = new TreeSet<>();
            keys.addAll(a.propertyNames());
            keys.addAll(b.propertyNames());
            keys.removeIf(k -> Objects.equals(a.get(k), b.get(k)));
            return List.of("flinkConfiguration changed (" + String.join(", ", keys) + ")");
        }
        Map<String, JsonNode[]> paths = new LinkedHashMap<>();
        differences(field, a, b, paths);
        if (paths.size() > LISTED) {
            List<String> names = paths.keySet().stream().map(p -> p.substring(field.length() + 1)).toList();
            return List.of(field + " changed (" + String.join(", ", names) + ")");
        }
        List<String> reasons = new ArrayList<>();
        paths.forEach((path, values) -> {
            String before = shown(values[0], SHOWN);
            String after = shown(values[1], SHOWN);
            boolean show = before != null && after != null && !field.equals("job.sql");
            reasons.add(show ? path + " " + before + " -> " + after : path + " changed");
        });
        return reasons;
    }

    /** Every differing leaf of a field as a {@link Change}: the SQL by lines, lists by entries, credentials hidden. */
    private static List<Change> fields(FieldDiff diff) {
        Map<String, JsonNode[]> paths = new LinkedHashMap<>();
        differences(diff.field(), diff.before(), diff.after(), paths);
        List<Change> changes = new ArrayList<>();
        paths.forEach((path, values) -> changes.add(field(path, values[0], values[1])));
        return changes;
    }

    private static Change field(String path, JsonNode a, JsonNode b) {
        if (path.equals("job.sql") && !isAbsent(a) && !isAbsent(b)) {
            return new Change(path, null, null, path + ": " + Lines.describe(a.asString(), b.asString()));
        }
        if (SENSITIVE.matcher(path.toLowerCase(Locale.ROOT)).find()) {
            return new Change(path, null, null, path + ": changed (the value may be a credential, so it is not shown)");
        }
        String before = shown(a, SHOWN_IN_FIELDS);
        String after = shown(b, SHOWN_IN_FIELDS);
        if (before != null && after != null) {
            return new Change(path, before, after, path + ": " + before + " -> " + after);
        }
        if (isScalarArray(a) && isScalarArray(b)) {
            return new Change(path, null, null, path + ": " + entries(a, b));
        }
        return new Change(path, before, after, path + ": changed");
    }

    private static boolean isScalarArray(JsonNode node) {
        if (isAbsent(node)) {
            return true;
        }
        if (!node.isArray()) {
            return false;
        }
        for (JsonNode child : node) {
            if (!child.isValueNode()) {
                return false;
            }
        }
        return true;
    }

    /** {@code added x; removed y}: the entries of a list of scalars (absent counts as empty) that differ. */
    private static String entries(JsonNode a, JsonNode b) {
        Map<String, Integer> counts = new HashMap<>();
        if (!isAbsent(b)) {
            b.forEach(n -> counts.merge(n.asString(), 1, Integer::sum));
        }
        List<String> removed = new ArrayList<>();
        if (!isAbsent(a)) {
            for (JsonNode n : a) {
                if (counts.merge(n.asString(), -1, Integer::sum) < 0) {
                    removed.add(n.asString());
                }
            }
        }
        List<String> added = new ArrayList<>();
        if (!isAbsent(b)) {
            Map<String, Integer> left = new HashMap<>(counts);
            for (JsonNode n : b) {
                if (left.getOrDefault(n.asString(), 0) > 0) {
                    left.merge(n.asString(), -1, Integer::sum);
                    added.add(n.asString());
                }
            }
        }
        List<String> parts = new ArrayList<>();
        if (!added.isEmpty()) {
            parts.add("added " + String.join(", ", added));
        }
        if (!removed.isEmpty()) {
            parts.add("removed " + String.join(", ", removed));
        }
        return parts.isEmpty() ? "order changed" : String.join("; ", parts);
    }

    private static void differences(String path, JsonNode a, JsonNode b, Map<String, JsonNode[]> out) {
        if (Objects.equals(a, b)) {
            return;
        }
        if (isObject(a) && isObject(b)) {
            Set<String> keys = new LinkedHashSet<>(a.propertyNames());
            keys.addAll(b.propertyNames());
            for (String key : keys) {
                differences(path + "." + key, a.get(key), b.get(key), out);
            }
            return;
        }
        if (isAbsent(a) && isAbsent(b)) {
            return;
        }
        out.put(path, new JsonNode[] {a, b});
    }

    private static boolean isObject(JsonNode node) {
        return node != null && node.isObject();
    }

    private static boolean isAbsent(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode();
    }

    /** A scalar of at most {@code limit} characters on one line, {@code (none)} for an absent one; null for anything else. */
    private static String shown(JsonNode node, int limit) {
        if (isAbsent(node)) {
            return "(none)";
        }
        if (!node.isValueNode()) {
            return null;
        }
        String text = node.asString();
        return text.length() > limit || text.contains("\n") ? null : text;
    }

    /**
     * Whether {@code a} becomes {@code b} when every occurrence of the variables' old values in its
     * strings (and numbers, for typed fields) is replaced by their new values.
     */
    private static boolean explains(JsonNode a, JsonNode b, List<ValueChange> variables) {
        if (a == null || b == null || a.isNull() || b.isNull()) {
            return a == b || (a != null && b != null && a.isNull() && b.isNull());
        }
        if (a.isObject() && b.isObject()) {
            if (!a.propertyNames().equals(b.propertyNames())) {
                return false;
            }
            for (String key : a.propertyNames()) {
                if (!explains(a.get(key), b.get(key), variables)) {
                    return false;
                }
            }
            return true;
        }
        if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!explains(a.get(i), b.get(i), variables)) {
                    return false;
                }
            }
            return true;
        }
        if (a.isValueNode() && b.isValueNode()) {
            return becomes(a.asString(), b.asString(), variables);
        }
        return false;
    }

    /**
     * Whether {@code b} is {@code a} with some occurrences of the variables' old values replaced by
     * their new values. Only some: a short value such as {@code 5} also occurs in text the variable
     * did not write, which stays as it was.
     */
    static boolean becomes(String a, String b, List<ValueChange> variables) {
        if (a.equals(b)) {
            return true;
        }
        // a = text[0] + occurrence[0] + text[1] + ... + text[n]; each occurrence stays or is replaced
        List<String> texts = new ArrayList<>();
        List<ValueChange> occurrences = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < a.length()) {
            ValueChange found = null;
            for (ValueChange v : variables) { // longest old value first
                if (a.startsWith(v.before(), i)) {
                    found = v;
                    break;
                }
            }
            if (found == null) {
                i++;
                continue;
            }
            texts.add(a.substring(start, i));
            occurrences.add(found);
            i += found.before().length();
            start = i;
        }
        texts.add(a.substring(start));
        return matches(texts, occurrences, 0, 0, b, new java.util.HashSet<>());
    }

    private static boolean matches(List<String> texts, List<ValueChange> occurrences, int index, int pos, String b,
            Set<Long> failed) {
        long key = ((long) index << 32) | pos;
        if (failed.contains(key)) {
            return false;
        }
        String text = texts.get(index);
        if (!b.startsWith(text, pos)) {
            failed.add(key);
            return false;
        }
        int next = pos + text.length();
        if (index == occurrences.size()) {
            return next == b.length();
        }
        ValueChange v = occurrences.get(index);
        for (String option : List.of(v.after(), v.before())) {
            if (b.startsWith(option, next) && matches(texts, occurrences, index + 1, next + option.length(), b, failed)) {
                return true;
            }
        }
        failed.add(key);
        return false;
    }

    private static boolean occursIn(String value, JsonNode node) {
        if (node == null || node.isNull()) {
            return false;
        }
        if (node.isValueNode()) {
            return node.asString().contains(value);
        }
        for (JsonNode child : node) {
            if (occursIn(value, child)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The non-secret variables whose value, as a document of {@code team} sees it (the team's own
     * variable, else the platform's), differs between the two states; longer old values first so
     * that one value containing another is replaced whole.
     */
    private static List<ValueChange> changedVariables(String team, DesiredState before, DesiredState after) {
        Map<String, String> a = visibleValues(team, before);
        Map<String, String> b = visibleValues(team, after);
        List<ValueChange> changed = new ArrayList<>();
        for (Map.Entry<String, String> e : a.entrySet()) {
            String now = b.get(e.getKey());
            if (now != null && !e.getValue().isEmpty() && !now.equals(e.getValue())) {
                changed.add(new ValueChange(e.getKey(), e.getValue(), now));
            }
        }
        changed.sort(Comparator.comparingInt((ValueChange v) -> -v.before().length()).thenComparing(ValueChange::name));
        return changed;
    }

    private static Map<String, String> visibleValues(String team, DesiredState state) {
        Map<String, String> values = new TreeMap<>();
        for (Variable v : state.all(Variable.class)) {
            if (v.isSecret() || v.spec().value() == null) {
                continue;
            }
            String owner = v.metadata().team();
            if (owner == null) {
                values.putIfAbsent(v.metadata().name(), v.spec().value());
            } else if (owner.equals(team)) {
                values.put(v.metadata().name(), v.spec().value()); // a team's own shadows the platform's
            }
        }
        return values;
    }
}
