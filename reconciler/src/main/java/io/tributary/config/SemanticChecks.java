package io.tributary.config;

import io.tributary.model.AlertChannel;
import io.tributary.model.AlertPolicy;
import io.tributary.model.Application;
import io.tributary.model.Application.DeploymentMode;
import io.tributary.model.Cluster;
import io.tributary.model.FlinkVersion;
import io.tributary.model.Kind;
import io.tributary.model.Permission;
import io.tributary.model.Project;
import io.tributary.model.Resource;
import io.tributary.model.Role;
import io.tributary.model.Settings;
import io.tributary.model.Team;
import io.tributary.model.TimeSpan;
import io.tributary.model.User;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rules a schema cannot say: references between documents, deployment mode against cluster
 * mode and Flink version, blocks that belong to another mode or type, and values that must be
 * in range. Runs over documents that passed their schema, and over what is left of one that did not
 * ({@link Salvaged}).
 */
final class SemanticChecks {
    private static final Duration MIN_CHECKPOINT_INTERVAL = Duration.ofMillis(10);

    private final Index index;
    private final List<ConfigError> errors;

    SemanticChecks(Index index, List<ConfigError> errors) {
        this.index = index;
        this.errors = errors;
    }

    void run() {
        checkDefaultFlinkVersion();
        checkSingleSettings();
        for (Kind kind : Kind.values()) {
            for (Entry entry : index.entries(kind)) {
                if (entry.orphan) {
                    continue;
                }
                if (entry.usable && entry.resource != null) {
                    check(entry, entry.resource);
                } else if (entry.salvaged != null) {
                    List<ConfigError> found = new ArrayList<>();
                    new SemanticChecks(index, found).check(entry, entry.salvaged.resource());
                    found.stream().filter(e -> !entry.salvaged.touches(e.field())).forEach(errors::add);
                }
            }
        }
    }

    private void check(Entry entry, Resource resource) {
        if (resource instanceof Application app) {
            checkApplication(entry, app);
        } else if (resource instanceof Cluster cluster) {
            checkCluster(entry, cluster);
        } else if (resource instanceof Team team) {
            checkTeam(entry, team);
        } else if (resource instanceof Role role) {
            checkRole(entry, role);
        } else if (resource instanceof User user && User.BOOTSTRAP_ADMIN.equals(user.metadata().name())
                && !user.spec().platformAdmin()) {
            errors.add(entry.error("/metadata/name", "\"admin\" is the bootstrap admin, a platform admin whatever Git"
                    + " says; set platformAdmin: true on it, or give this user another name"));
        } else if (resource instanceof AlertChannel channel) {
            checkChannel(entry, channel);
        } else if (resource instanceof AlertPolicy policy) {
            checkPolicy(entry, policy);
        } else if (resource instanceof Settings settings) {
            checkAlertSettings(entry, settings.spec().alerts());
        } else if (resource instanceof Project project && project.spec().build() != null) {
            positive(entry, "/spec/build/timeout", project.spec().build().timeout()); // 0s would stop every build at once
        }
    }

    private void checkDefaultFlinkVersion() {
        Entry firstDefault = null;
        for (Entry entry : index.entries(Kind.FLINK_VERSION)) {
            if (entry.resource instanceof FlinkVersion version && version.spec().isDefault()) {
                if (firstDefault == null) {
                    firstDefault = entry;
                } else {
                    errors.add(entry.error("/spec/default", "only one FlinkVersion can be the default; "
                            + firstDefault.id.name() + " already is (" + firstDefault.doc.describe("/spec/default") + ")"));
                }
            }
        }
    }

    /** Alert timings a team cannot turn into a storm or a silence: the schema checks types and counts. */
    private void checkAlertSettings(Entry entry, Settings.Alerts alerts) {
        if (alerts == null) {
            return;
        }
        if (alerts.groupWait() != null && alerts.groupWait().duration().compareTo(java.time.Duration.ofMinutes(10)) > 0) {
            errors.add(entry.error("/spec/alerts/groupWait", "must be at most 10m: notices wait this long before they"
                    + " are sent, so a longer wait delays every alert; the default is 5s"));
        }
        if (alerts.repeatInterval() != null
                && alerts.repeatInterval().duration().compareTo(java.time.Duration.ofMinutes(1)) < 0) {
            errors.add(entry.error("/spec/alerts/repeatInterval", "must be at least 1m, so an open alert is not"
                    + " re-sent on every pass; the default is 1h"));
        }
    }

    private void checkSingleSettings() {
        List<Entry> settings = index.entries(Kind.SETTINGS);
        for (int i = 1; i < settings.size(); i++) {
            errors.add(settings.get(i).error("/metadata/name", "at most one Settings document is allowed; another is"
                    + " at " + settings.get(0).doc.describe("/metadata/name")));
        }
    }

    // ---- Application

    private void checkApplication(Entry entry, Application app) {
        Application.Spec spec = app.spec();
        Optional<FlinkVersion> version = flinkVersion(entry, "/spec/flinkVersion", spec.flinkVersion());
        checkDeployment(entry, spec, version);
        checkJob(entry, spec.job());
        for (int i = 0; i < spec.alertPolicies().size(); i++) {
            index.reference(entry, "/spec/alertPolicies/" + i, Kind.ALERT_POLICY, spec.alertPolicies().get(i),
                    "alert policy", AlertPolicy.class);
        }
        if (spec.checkpoints() != null) {
            TimeSpan interval = spec.checkpoints().interval();
            if (interval != null && interval.duration().compareTo(MIN_CHECKPOINT_INTERVAL) < 0) {
                errors.add(entry.error("/spec/checkpoints/interval", "must be at least 10ms, Flink's smallest"
                        + " checkpoint interval"));
            }
            positive(entry, "/spec/checkpoints/timeout", spec.checkpoints().timeout());
        }
        if (spec.savepoints() != null) {
            positive(entry, "/spec/savepoints/periodic", spec.savepoints().periodic());
            if (spec.savepoints().retention() != null) {
                positive(entry, "/spec/savepoints/retention/maxAge", spec.savepoints().retention().maxAge());
            }
        }
        positive(entry, "/spec/restartPolicy/window", spec.restartPolicy().window());
        checkMemorySizes(entry, spec.flinkConfiguration());
        if (spec.restore() != null && app.id().qualifiedName().equals(spec.restore().sourceApp(app.id().team()))) {
            errors.add(entry.error("/spec/restore/application", "names this application itself; name the application"
                    + " whose state it takes over (its old name, or team/name in another team)"));
        }
    }

    private void checkDeployment(Entry entry, Application.Spec spec, Optional<FlinkVersion> version) {
        Application.Deployment deployment = spec.deployment();
        DeploymentMode mode = deployment.mode();
        if (mode.isSession()) {
            String expected = mode.sessionClusterMode().yamlName();
            if (deployment.cluster() == null) {
                errors.add(entry.errorAtKey("/spec/deployment", "missing required field \"cluster\": a "
                        + mode.yamlName() + " deployment runs on a Cluster of mode " + expected));
            } else {
                index.reference(entry, "/spec/deployment/cluster", Kind.CLUSTER, deployment.cluster(), "cluster",
                        Cluster.class).ifPresent(cluster -> {
                            if (cluster.spec().mode() != mode.sessionClusterMode()) {
                                errors.add(entry.error("/spec/deployment/cluster", "cluster \"" + deployment.cluster()
                                        + "\" is a " + cluster.spec().mode().yamlName() + " cluster; a " + mode.yamlName()
                                        + " deployment needs a " + expected + " cluster"));
                            }
                            if (spec.flinkVersion() == null || version.isPresent()) {
                                checkSameVersionAsCluster(entry, spec, cluster);
                            }
                        });
            }
        } else if (deployment.cluster() != null) {
            errors.add(entry.errorAtKey("/spec/deployment/cluster", "a " + mode.yamlName() + " deployment starts its"
                    + " own Flink cluster; remove \"cluster\" (only the session modes run on a Cluster)"));
        }
        if (deployment.yarn() != null && !mode.isYarnPerAppCluster()) {
            errors.add(entry.errorAtKey("/spec/deployment/yarn", "yarn settings apply only to the yarn-per-job and"
                    + " yarn-application modes; a session app takes them from its Cluster"));
        }
        if (deployment.kubernetes() != null && mode != DeploymentMode.KUBERNETES_APPLICATION) {
            errors.add(entry.errorAtKey("/spec/deployment/kubernetes", "kubernetes settings apply only to the"
                    + " kubernetes-application mode; a session app takes them from its Cluster"));
        }
        if (deployment.kubernetes() != null && mode == DeploymentMode.KUBERNETES_APPLICATION) {
            checkPodTemplates(entry, "/spec/deployment/kubernetes", deployment.kubernetes(), spec.flinkConfiguration());
        }
        if (mode == DeploymentMode.YARN_PER_JOB) {
            version.flatMap(FlinkVersion::major).filter(major -> major >= 2).ifPresent(major -> errors.add(
                    entry.error("/spec/deployment/mode", "yarn-per-job was removed in Flink 2.0 and this app uses "
                            + version.get().metadata().name() + "; use yarn-application")));
        }
    }

    private void checkSameVersionAsCluster(Entry entry, Application.Spec spec, Cluster cluster) {
        if (spec.flinkVersion() == null) {
            return;
        }
        String clusterVersion = cluster.spec().flinkVersion() != null ? cluster.spec().flinkVersion()
                : index.defaultFlinkVersion().map(v -> v.metadata().name()).orElse(null);
        if (clusterVersion != null && !clusterVersion.equals(spec.flinkVersion())) {
            errors.add(entry.error("/spec/flinkVersion", "the app names " + spec.flinkVersion() + " but its cluster \""
                    + cluster.metadata().name() + "\" runs " + clusterVersion + "; an app in a session mode uses its"
                    + " cluster's Flink version, so remove spec.flinkVersion or name " + clusterVersion));
        }
    }

    private void checkJob(Entry entry, Application.Job job) {
        switch (job.type()) {
            case SQL -> {
                if (job.sql() == null) {
                    errors.add(entry.errorAtKey("/spec/job", "missing required field \"sql\": a sql job needs"
                            + " sql.file or sql.script"));
                }
                if (job.jar() != null) {
                    errors.add(entry.errorAtKey("/spec/job/jar", "a sql job takes no jar; remove it or set type: jar"));
                }
            }
            case JAR -> {
                if (job.jar() == null) {
                    errors.add(entry.errorAtKey("/spec/job", "missing required field \"jar\": a jar job needs"
                            + " jar.maven, jar.url or jar.project"));
                } else if (job.jar().project() != null) {
                    index.reference(entry, "/spec/job/jar/project/name", Kind.PROJECT, job.jar().project().name(),
                            "project", Project.class);
                }
                if (job.sql() != null) {
                    errors.add(entry.errorAtKey("/spec/job/sql", "a jar job takes no sql; remove it or set type: sql"));
                }
            }
        }
    }

    // ---- Cluster

    private void checkCluster(Entry entry, Cluster cluster) {
        Cluster.Spec spec = cluster.spec();
        flinkVersion(entry, "/spec/flinkVersion", spec.flinkVersion());
        Map<Cluster.Mode, String> blocks = Map.of(Cluster.Mode.STANDALONE, "standalone",
                Cluster.Mode.YARN_SESSION, "yarn", Cluster.Mode.KUBERNETES_SESSION, "kubernetes");
        blocks.forEach((mode, block) -> {
            if (mode != spec.mode() && entry.doc.root.at("/spec").has(block)) {
                errors.add(entry.errorAtKey("/spec/" + block, block + " settings do not apply to a "
                        + spec.mode().yamlName() + " cluster; remove them or change spec.mode"));
            }
        });
        switch (spec.mode()) {
            case STANDALONE -> checkStandalone(entry, spec);
            case YARN_SESSION -> {
                String applicationId = spec.yarn() == null ? null : spec.yarn().applicationId();
                if (!spec.managed() && applicationId == null) {
                    errors.add(entry.errorAtKey("/spec/yarn", "an external YARN session (managed: false) needs"
                            + " yarn.applicationId, the YARN application it runs as"));
                } else if (spec.managed() && applicationId != null) {
                    errors.add(entry.errorAtKey("/spec/yarn/applicationId", "a managed YARN session is started by"
                            + " Tributary; remove applicationId or set managed: false"));
                }
            }
            case KUBERNETES_SESSION -> {
                if (spec.kubernetes() != null && spec.kubernetes().ingress() && !settingsHaveIngress()) {
                    errors.add(entry.error("/spec/kubernetes/ingress", "the cluster asks for an ingress but no"
                            + " Settings document sets ingress.domain"));
                }
                if (spec.kubernetes() != null) {
                    checkPodTemplates(entry, "/spec/kubernetes", spec.kubernetes(), spec.flinkConfiguration());
                }
            }
        }
        checkMemorySizes(entry, spec.flinkConfiguration());
    }

    private void checkStandalone(Entry entry, Cluster.Spec spec) {
        Cluster.Standalone standalone = spec.standalone();
        if (spec.managed()) {
            if (standalone != null && standalone.address() != null) {
                errors.add(entry.errorAtKey("/spec/standalone/address", "a managed cluster is started by Tributary,"
                        + " which picks its address; remove address or set managed: false"));
            }
        } else {
            if (standalone == null || standalone.address() == null) {
                errors.add(entry.errorAtKey(standalone == null ? "/spec" : "/spec/standalone", "an external"
                        + " standalone cluster (managed: false) needs standalone.address, its JobManager's REST"
                        + " address such as http://flink-jm:8081"));
            }
            for (String managedOnly : List.of("taskManagers", "slotsPerTaskManager")) {
                if (entry.doc.root.at("/spec/standalone").has(managedOnly)) {
                    errors.add(entry.errorAtKey("/spec/standalone/" + managedOnly, managedOnly + " applies only to a"
                            + " managed cluster (managed: true)"));
                }
            }
        }
    }

    private boolean settingsHaveIngress() {
        return index.entries(Kind.SETTINGS).stream().anyMatch(e -> !e.usable
                || e.resource instanceof Settings s && s.spec().ingress() != null && s.spec().ingress().domain() != null);
    }

    // ---- Team, Role

    private void checkTeam(Entry entry, Team team) {
        Map<String, Integer> seen = new HashMap<>();
        List<Team.Member> members = team.spec().members();
        for (int i = 0; i < members.size(); i++) {
            Team.Member member = members.get(i);
            String pointer = "/spec/members/" + i;
            Integer earlier = seen.putIfAbsent(member.user(), i);
            if (earlier != null) {
                errors.add(entry.error(pointer + "/user", "user \"" + member.user() + "\" is already a member (line "
                        + entry.doc.valuePosition("/spec/members/" + earlier + "/user").line() + ")"));
            }
            index.reference(entry, pointer + "/user", Kind.USER, member.user(), "user", User.class);
            if (!Permission.BUILT_IN_ROLES.contains(member.role())) {
                String builtIns = String.join(", ", Permission.BUILT_IN_ROLES.stream().sorted().toList());
                if (index.visible(Kind.ROLE, null, member.role()).isEmpty()) {
                    List<String> roles = new java.util.ArrayList<>(index.visibleNames(Kind.ROLE, null));
                    roles.addAll(Permission.BUILT_IN_ROLES);
                    errors.add(entry.error(pointer + "/role", "role \"" + member.role() + "\" does not exist"
                            + Suggestions.closest(member.role(), roles).map(s -> "; did you mean \"" + s + "\"?")
                                    .orElse("; the built-in roles are " + builtIns + ", others are Role documents")
                            + index.unparsedNote()));
                }
            }
        }
    }

    private void checkRole(Entry entry, Role role) {
        if (Permission.BUILT_IN_ROLES.contains(role.metadata().name())) {
            errors.add(entry.error("/metadata/name", "\"" + role.metadata().name() + "\" is a built-in role; give"
                    + " the custom role another name"));
        }
    }

    // ---- Alerts

    private void checkChannel(Entry entry, AlertChannel channel) {
        String type = channel.spec().type().yamlName();
        for (AlertChannel.Type other : AlertChannel.Type.values()) {
            String block = other.yamlName();
            boolean present = entry.doc.root.at("/spec").has(block);
            if (other == channel.spec().type() && !present) {
                errors.add(entry.errorAtKey("/spec", "missing required field \"" + block + "\": a channel of type "
                        + type + " is configured in spec." + block));
            } else if (other != channel.spec().type() && present) {
                errors.add(entry.errorAtKey("/spec/" + block, block + " settings do not apply to a channel of type "
                        + type + "; remove them or change spec.type"));
            }
        }
    }

    private void checkPolicy(Entry entry, AlertPolicy policy) {
        List<String> channels = policy.spec().channels();
        for (int i = 0; i < channels.size(); i++) {
            index.reference(entry, "/spec/channels/" + i, Kind.ALERT_CHANNEL, channels.get(i), "alert channel",
                    AlertChannel.class);
        }
        List<AlertPolicy.Rule> rules = policy.spec().rules();
        for (int i = 0; i < rules.size(); i++) {
            String pointer = "/spec/rules/" + i;
            if (rules.get(i).event() != AlertPolicy.Event.CHECKPOINT_FAILURES) {
                for (String field : List.of("count", "within", "action")) {
                    if (entry.doc.root.at(pointer).has(field)) {
                        errors.add(entry.errorAtKey(pointer + "/" + field, field + " applies only to a"
                                + " checkpoint-failures rule"));
                    }
                }
            }
            positive(entry, pointer + "/within", rules.get(i).within());
        }
        if (policy.spec().template() != null) {
            checkTemplate(entry, policy.spec().template());
        }
    }

    /** A template that does not parse, or names what no alert has, would send a default or blank text instead. */
    private void checkTemplate(Entry entry, String template) {
        com.samskivert.mustache.Template compiled;
        try {
            compiled = com.samskivert.mustache.Mustache.compiler().compile(template);
        } catch (com.samskivert.mustache.MustacheException e) {
            errors.add(entry.error("/spec/template", "the template cannot be read: " + e.getMessage()));
            return;
        }
        java.util.Set<String> unknown = new java.util.TreeSet<>();
        java.util.function.Consumer<String> name = n -> {
            if (!n.equals(".") && !n.startsWith("-") && !AlertPolicy.TEMPLATE_VARIABLES.contains(n)) {
                unknown.add(n);
            }
        };
        compiled.visit(new com.samskivert.mustache.Mustache.Visitor() {
            @Override
            public void visitText(String text) {}

            @Override
            public void visitVariable(String variable) {
                name.accept(variable);
            }

            @Override
            public boolean visitInclude(String partial) {
                return false;
            }

            @Override
            public boolean visitSection(String section) {
                name.accept(section);
                return true;
            }

            @Override
            public boolean visitInvertedSection(String section) {
                name.accept(section);
                return true;
            }
        });
        for (String n : unknown) {
            errors.add(entry.error("/spec/template", "{{" + n + "}} is no alert variable (it would render as nothing)"
                    + Suggestions.closest(n, AlertPolicy.TEMPLATE_VARIABLES).map(s -> "; did you mean {{" + s + "}}?")
                            .orElse("; docs/alerts.md#template-variables lists them")));
        }
    }

    // ---- shared

    /** The FlinkVersion an app or cluster names, or the default one; reports either missing. */
    private Optional<FlinkVersion> flinkVersion(Entry entry, String pointer, String name) {
        if (name != null) {
            return index.reference(entry, pointer, Kind.FLINK_VERSION, name, "Flink version", FlinkVersion.class);
        }
        if (!index.defaultFlinkVersionKnownOrUnclear()) {
            boolean none = index.entries(Kind.FLINK_VERSION).isEmpty();
            errors.add(entry.errorAtKey("/spec", none
                    ? "no FlinkVersion is declared; add one (e.g. platform/flink-versions.yaml) or name one in spec.flinkVersion"
                    : "no FlinkVersion is marked default: true; mark one, or name one in spec.flinkVersion"));
        }
        return index.defaultFlinkVersion();
    }

    private void positive(Entry entry, String pointer, TimeSpan span) {
        if (span != null && span.duration().isZero()) {
            errors.add(entry.error(pointer, "must be longer than 0"));
        }
    }

    /** A pod template written in the spec and a template file named in flinkConfiguration would fight: one wins. */
    private void checkPodTemplates(Entry entry, String pointer, Cluster.Kubernetes k8s,
            Map<String, String> flinkConfiguration) {
        Map<String, String> fields = Map.of("default", "podTemplate", "jobmanager", "jobManagerPodTemplate",
                "taskmanager", "taskManagerPodTemplate");
        k8s.podTemplates().keySet().forEach(role -> {
            String option = "kubernetes.pod-template-file." + role;
            if (flinkConfiguration.containsKey(option)) {
                errors.add(entry.errorAtKey(pointer + "/" + fields.get(role), fields.get(role) + " and " + option
                        + " in flinkConfiguration both give the " + role + " pod template; keep one of them"));
            }
        });
    }

    private void checkMemorySizes(Entry entry, Map<String, String> flinkConfiguration) {
        flinkConfiguration.forEach((key, value) -> {
            if (MemorySizes.isMemoryOption(key) && !MemorySizes.parses(value)) {
                errors.add(entry.error(Pointers.child("/spec/flinkConfiguration", key), "\"" + value + "\" is not a"
                        + " memory size; write a number and a unit such as 1728m, 2g or 512mb"));
            }
        });
    }
}
