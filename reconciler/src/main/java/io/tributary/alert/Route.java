package io.tributary.alert;

import io.tributary.model.AlertChannel;
import io.tributary.model.AlertPolicy;
import io.tributary.model.Application;
import io.tributary.model.DesiredState;
import io.tributary.model.Kind;
import io.tributary.model.Resource;
import io.tributary.model.ResourceId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One channel an alert goes to, and the policy (its template and rule) that sends it there. */
record Route(AlertPolicy policy, AlertPolicy.Rule rule, AlertChannel channel) {

    String channelKey() {
        return channel.id().qualifiedName();
    }

    /**
     * Where an alert of {@code subject} and {@code event} goes: the policies of the app (for a cluster,
     * of every app on it and every platform policy, one without a team; for the platform, every policy)
     * with a rule for the event, and their channels, each channel once.
     */
    static List<Route> of(DesiredState desired, String subject, AlertPolicy.Event event) {
        List<AlertPolicy> policies = new ArrayList<>();
        if (subject.equals(EventRules.PLATFORM)) {
            policies.addAll(desired.all(AlertPolicy.class));
        } else {
            for (Application app : appsOf(desired, subject)) {
                for (String name : app.spec().alertPolicies()) {
                    lookup(desired, Kind.ALERT_POLICY, app.metadata().team(), name, AlertPolicy.class)
                            .filter(p -> !policies.contains(p)).ifPresent(policies::add);
                }
            }
            if (subject.startsWith(EventRules.CLUSTER)) {
                // clusters are the platform's: its own policies hear of every one, whether or not an app names them
                desired.all(AlertPolicy.class).stream().filter(p -> p.metadata().team() == null)
                        .filter(p -> !policies.contains(p)).forEach(policies::add);
            }
        }
        Map<String, Route> routes = new LinkedHashMap<>();
        for (AlertPolicy policy : policies) {
            Optional<AlertPolicy.Rule> rule = policy.spec().rules().stream().filter(r -> r.event() == event).findFirst();
            if (rule.isEmpty()) {
                continue;
            }
            for (String name : policy.spec().channels()) {
                lookup(desired, Kind.ALERT_CHANNEL, policy.metadata().team(), name, AlertChannel.class)
                        .ifPresent(c -> routes.putIfAbsent(c.id().qualifiedName(), new Route(policy, rule.get(), c)));
            }
        }
        return List.copyOf(routes.values());
    }

    /**
     * The apps a subject is about: the app itself, every app on the cluster, or, for a Project's
     * {@code team/name} (build-failed), every app of the team whose jar the project builds.
     */
    static List<Application> appsOf(DesiredState desired, String subject) {
        if (subject.startsWith(EventRules.CLUSTER)) {
            String cluster = subject.substring(EventRules.CLUSTER.length());
            return desired.applications().stream()
                    .filter(a -> desired.clusterOf(a).map(c -> c.id().qualifiedName().equals(cluster)).orElse(false))
                    .toList();
        }
        List<Application> app = desired.applications().stream().filter(a -> a.id().qualifiedName().equals(subject))
                .toList();
        if (!app.isEmpty() || subject.indexOf('/') < 0) {
            return app;
        }
        // a Project's build (team/project): the apps whose jar it builds
        String team = subject.substring(0, subject.indexOf('/'));
        String project = subject.substring(subject.indexOf('/') + 1);
        return desired.applications().stream()
                .filter(a -> team.equals(a.metadata().team()) && a.spec().job().jar() != null
                        && a.spec().job().jar().project() != null && project.equals(a.spec().job().jar().project().name()))
                .toList();
    }

    /** A team document of that name, else the platform one (a team's shadows the platform's). */
    static <T extends Resource> Optional<T> lookup(DesiredState desired, Kind kind, String team, String name,
            Class<T> type) {
        Optional<Resource> own = team == null ? Optional.empty() : desired.get(new ResourceId(kind, team, name));
        return own.or(() -> desired.get(new ResourceId(kind, null, name))).filter(type::isInstance).map(type::cast);
    }
}
