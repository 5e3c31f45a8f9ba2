package io.ttv.pipeline.core.redis;

import io.ttv.pipeline.core.domain.JobStatus;

/** Outcome of a state-machine write: applied, refused (with the current status) or no such job. */
public record TransitionResult(Outcome outcome, JobStatus status) {
    public enum Outcome { APPLIED, REFUSED, MISSING }

    public boolean applied() {
        return outcome == Outcome.APPLIED;
    }
}
