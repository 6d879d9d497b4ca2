package io.tributary.plan;

import java.util.Optional;

/**
 * A cluster as Tributary last saw it.
 *
 * @param running whether a managed cluster's processes run (external clusters: always true)
 * @param reachable whether its REST API answered
 * @param specHash the spec a managed cluster was started with
 * @param busy a start, stop or update of it is under way; its apps wait
 */
public record ClusterObservation(String name, boolean managed, boolean running, boolean reachable,
        Optional<String> specHash, boolean busy) {

    public ClusterObservation(String name, boolean managed, boolean running, boolean reachable,
            Optional<String> specHash) {
        this(name, managed, running, reachable, specHash, false);
    }

    public ClusterObservation asBusy() {
        return new ClusterObservation(name, managed, running, reachable, specHash, true);
    }
}
