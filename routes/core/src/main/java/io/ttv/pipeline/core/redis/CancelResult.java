package io.ttv.pipeline.core.redis;

import io.ttv.pipeline.core.domain.JobStatus;

/** Outcome of a cancel: taken off the queue, signalled to its worker, refused (terminal, with its status) or missing. */
public record CancelResult(Outcome outcome, JobStatus status) {
    public enum Outcome { DEQUEUED, SIGNALLED, TERMINAL, MISSING }
}
