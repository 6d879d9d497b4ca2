package io.tributary.model;

/** Identity of a document: kind, team (null for platform documents) and name. */
public record ResourceId(Kind kind, String team, String name) {

    /** {@code payments/orders} for team documents, {@code orders} for platform ones. */
    public String qualifiedName() {
        return team == null ? name : team + "/" + name;
    }

    @Override
    public String toString() {
        return kind.yamlName() + " " + qualifiedName();
    }
}
