package io.tributary.model;

/** A document of the config repository: one of the kinds, with its metadata and spec. */
public sealed interface Resource
        permits FlinkVersion, Cluster, Application, Variable, Team, User, Role, Project,
                AlertChannel, AlertPolicy, Settings {

    Metadata metadata();

    Kind kind();

    default ResourceId id() {
        return new ResourceId(kind(), metadata().team(), metadata().name());
    }
}
