package io.tributary.apply;

import java.time.Instant;

/** Why a started cluster does not answer, as found at {@code at}. */
public record StartupProblem(Instant at, String description) {}
