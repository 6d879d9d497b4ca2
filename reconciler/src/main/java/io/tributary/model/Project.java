package io.tributary.model;

import java.util.List;

/** A Git repository built with Maven into job artifacts. */
public record Project(Metadata metadata, Spec spec) implements Resource {

    public record Spec(Git git, Build build) {}

    public record Git(String url, String ref, Credential credentials) {
        public Git {
            ref = ref == null ? "main" : ref;
        }
    }

    public record Build(String tool, String pom, List<String> goals, TimeSpan timeout) {
        public Build {
            tool = tool == null ? "maven" : tool;
            pom = pom == null ? "pom.xml" : pom;
            goals = goals == null ? List.of("clean", "package", "-DskipTests") : List.copyOf(goals);
        }
    }

    @Override
    public Kind kind() {
        return Kind.PROJECT;
    }
}
