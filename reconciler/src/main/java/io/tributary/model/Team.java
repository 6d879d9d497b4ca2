package io.tributary.model;

import java.util.List;

/** A team and its members with their roles. */
public record Team(Metadata metadata, Spec spec) implements Resource {

    public record Spec(String description, List<Member> members) {
        public Spec {
            members = members == null ? List.of() : List.copyOf(members);
        }
    }

    public record Member(String user, String role) {}

    @Override
    public Kind kind() {
        return Kind.TEAM;
    }
}
