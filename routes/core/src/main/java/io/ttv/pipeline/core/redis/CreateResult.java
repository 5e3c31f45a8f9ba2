package io.ttv.pipeline.core.redis;

/** What a create call did: created {@code jobId}, or found it made earlier under the same Idempotency-Key. */
public record CreateResult(Outcome outcome, String jobId) {
    public enum Outcome {
        /** A new job was stored and queued. */
        CREATED,
        /** The key was used before with the same request: that job is the answer. */
        REPLAYED,
        /** The key was used before with a different request. */
        REUSED
    }
}
