package io.tributary.server.auth;

import static io.tributary.model.Permission.APP_RESTART;
import static io.tributary.model.Permission.APP_SAVEPOINT;
import static io.tributary.model.Permission.APP_START;
import static io.tributary.model.Permission.APP_STOP;
import static io.tributary.model.Permission.APP_SYNC;
import static io.tributary.model.Permission.APP_VIEW;
import static io.tributary.model.Permission.AUDIT_VIEW;
import static io.tributary.model.Permission.BUILD_RUN;
import static io.tributary.model.Permission.CLUSTER_MANAGE;
import static io.tributary.model.Permission.CLUSTER_VIEW;
import static io.tributary.model.Permission.TOKEN_MANAGE;
import static io.tributary.model.Permission.VARIABLE_VIEW;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.model.DesiredState;
import io.tributary.model.Metadata;
import io.tributary.model.Permission;
import io.tributary.model.Resource;
import io.tributary.model.Role;
import io.tributary.model.Team;
import io.tributary.model.User;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Who may do what where, from the Team, User and Role kinds: the built-in roles, a custom role, a
 * platform admin, a user Git does not declare, a user in two teams.
 */
class CallerTest {
    private static final DesiredState GIT = DesiredState.of(resources());

    private static List<Resource> resources() {
        List<Resource> r = new ArrayList<>();
        for (String name : List.of("vera", "dev", "ada", "olga", "pam", "loner", "twice")) {
            r.add(new User(Metadata.of(name, null), new User.Spec(name, name + "@example.com", name.equals("pam"))));
        }
        r.add(new Role(Metadata.of("operator", null), new Role.Spec("on call",
                List.of(APP_VIEW, APP_START, APP_STOP, APP_SAVEPOINT, CLUSTER_VIEW))));
        r.add(new Team(Metadata.of("payments", null), new Team.Spec("payments", List.of(
                new Team.Member("vera", "viewer"), new Team.Member("dev", "developer"),
                new Team.Member("ada", "admin"), new Team.Member("olga", "operator"),
                new Team.Member("twice", "viewer")))));
        r.add(new Team(Metadata.of("logistics", null), new Team.Spec("logistics", List.of(
                new Team.Member("twice", "developer")))));
        return r;
    }

    private static final Set<Permission> VIEWS = EnumSet.copyOf(Stream.of(Permission.values())
            .filter(Permission::isView).toList());

    static Stream<Arguments> table() {
        EnumSet<Permission> developer = EnumSet.copyOf(VIEWS);
        developer.addAll(List.of(APP_START, APP_STOP, APP_RESTART, APP_SAVEPOINT, APP_SYNC, BUILD_RUN));
        return Stream.of(
                // user, team, what they may do there (everything else: refused)
                Arguments.of("vera", "payments", VIEWS),
                Arguments.of("vera", "logistics", Set.of()),
                Arguments.of("dev", "payments", developer),
                Arguments.of("ada", "payments", EnumSet.allOf(Permission.class)),
                Arguments.of("ada", "logistics", Set.of()),
                Arguments.of("olga", "payments", Set.of(APP_VIEW, APP_START, APP_STOP, APP_SAVEPOINT, CLUSTER_VIEW)),
                Arguments.of("pam", "payments", EnumSet.allOf(Permission.class)),
                Arguments.of("pam", "a-team-git-does-not-know", EnumSet.allOf(Permission.class)),
                Arguments.of("loner", "payments", Set.of()),
                Arguments.of("twice", "payments", VIEWS),
                Arguments.of("twice", "logistics", developer),
                Arguments.of("admin", "payments", EnumSet.allOf(Permission.class)));
    }

    @ParameterizedTest(name = "{0} in {1}")
    @MethodSource("table")
    void aRoleGrantsExactlyItsPermissionsInItsTeam(String user, String team, Set<Permission> allowed) {
        Caller caller = Caller.of(user, Optional.of(GIT)).orElseThrow();
        for (Permission p : Permission.values()) {
            assertThat(caller.may(p, team)).as("%s %s in %s", user, p.yamlName(), team).isEqualTo(allowed.contains(p));
        }
    }

    @Test
    void aUserGitDoesNotDeclareIsNobodyButTheBootstrapAdminIsAlwaysSomebody() {
        assertThat(Caller.of("mallory", Optional.of(GIT))).isEmpty();
        assertThat(Caller.of("vera", Optional.empty())).as("before any revision is applied").isEmpty();
        assertThat(Caller.of("admin", Optional.empty())).hasValueSatisfying(c -> assertThat(c.platformAdmin()).isTrue());
    }

    @Test
    void someTeamPermissionsAreTheUnionOfTheTeams() {
        assertThat(Caller.of("twice", Optional.of(GIT)).orElseThrow().mayInSomeTeam(APP_SYNC)).isTrue();
        assertThat(Caller.of("vera", Optional.of(GIT)).orElseThrow().mayInSomeTeam(APP_SYNC)).isFalse();
        assertThat(Caller.of("olga", Optional.of(GIT)).orElseThrow().mayInSomeTeam(TOKEN_MANAGE)).isFalse();
        assertThat(Caller.of("ada", Optional.of(GIT)).orElseThrow().mayInSomeTeam(TOKEN_MANAGE)).isTrue();
        assertThat(Caller.of("loner", Optional.of(GIT)).orElseThrow().mayInSomeTeam(APP_VIEW)).isFalse();
        assertThat(Caller.of("pam", Optional.of(GIT)).orElseThrow().mayInSomeTeam(CLUSTER_MANAGE)).isTrue();
        assertThat(Caller.of("dev", Optional.of(GIT)).orElseThrow().mayInSomeTeam(AUDIT_VIEW)).isTrue();
        assertThat(Caller.of("dev", Optional.of(GIT)).orElseThrow().mayInSomeTeam(VARIABLE_VIEW)).isTrue();
    }
}
