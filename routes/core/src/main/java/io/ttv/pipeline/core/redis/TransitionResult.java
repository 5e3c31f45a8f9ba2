package io.ttv.pipeline.core.redis;

import io.ttv.pipeline.core.domain.JobStatus;

import java.util.Map;

/**
 * Outcome of a state-machine write: applied, refused (with the current status) or no such job; with the job's
 * fields when the write was applied and asked for them ({@link Transition#returningJob()}), else null.
 */
public record TransitionResult(Outcome outcome, JobStatus status, Map<String, String> job) {
    public enum Outcome { APPLIED, REFUSED, MISSING }

    public TransitionResult(Outcome outcome, JobStatus status) {
        this(outcome, status, null);
    }

    public boolean applied() {
        return outcome == Outcome.APPLIED;
    }
}
