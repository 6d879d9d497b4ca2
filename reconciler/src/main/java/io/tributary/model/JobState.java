package io.tributary.model;

/** A Flink job's state as Flink reports it, plus {@code LOST} when its cluster cannot be reached. */
public enum JobState {
    INITIALIZING, CREATED, RUNNING, FAILING, FAILED, CANCELLING, CANCELED, FINISHED, RESTARTING, SUSPENDED,
    RECONCILING, LOST;

    /** No further change will happen to a job in this state. */
    public boolean isTerminal() {
        return this == FAILED || this == CANCELED || this == FINISHED || this == SUSPENDED;
    }

    /** The job runs, or is on its way to run, on a cluster that answers: neither ended nor out of reach. */
    public boolean isAlive() {
        return !isTerminal() && this != LOST;
    }

    /** Flink's state string; an unknown one (a newer Flink) reads as RECONCILING rather than failing. */
    public static JobState fromFlink(String state) {
        try {
            return valueOf(state);
        } catch (IllegalArgumentException | NullPointerException e) {
            return RECONCILING;
        }
    }
}
