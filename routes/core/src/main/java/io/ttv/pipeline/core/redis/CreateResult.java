package io.ttv.pipeline.core.redis;

/**
 * What a create call did: created {@code jobId}, found it made earlier under the same Idempotency-Key, or refused the
 * request for its client's rate limit; with the rate limit's decision when the call took a token (else null).
 */
public record CreateResult(Outcome outcome, String jobId, RateLimiter.Decision rateLimit) {
    public enum Outcome {
        /** A new job was stored and queued. */
        CREATED,
        /** The key was used before with the same request: that job is the answer. */
        REPLAYED,
        /** The key was used before with a different request. */
        REUSED,
        /** The client's bucket was empty: nothing was written. */
        LIMITED
    }

    public CreateResult(Outcome outcome, String jobId) {
        this(outcome, jobId, null);
    }
}
