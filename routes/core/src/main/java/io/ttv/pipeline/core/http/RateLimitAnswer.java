package io.ttv.pipeline.core.http;

import io.ttv.pipeline.core.redis.RateLimiter;

import java.util.Map;
import java.util.function.BiConsumer;

/**
 * How a rate-limit decision shows in an answer (docs/api.md): {@code RateLimit-*} and {@code X-RateLimit-*} on every
 * limited request, {@code Retry-After} and a 429 {@code RateLimitExceeded} when refused. The front door and the job
 * creation (which takes its token in its own Lua call) answer the same.
 */
public final class RateLimitAnswer {
    private RateLimitAnswer() {
    }

    /** Sets the decision's headers through {@code header} (name, value). */
    public static void headers(RateLimiter.Decision d, BiConsumer<String, String> header) {
        String limit = Integer.toString(d.limit());
        String remaining = Integer.toString(d.remaining());
        String reset = Long.toString(seconds(d.resetMs()));
        header.accept("RateLimit-Limit", limit);
        header.accept("RateLimit-Remaining", remaining);
        header.accept("RateLimit-Reset", reset);
        header.accept("X-RateLimit-Limit", limit);
        header.accept("X-RateLimit-Remaining", remaining);
        header.accept("X-RateLimit-Reset", reset);
        if (!d.allowed()) {
            header.accept("Retry-After", Long.toString(retryAfterSeconds(d)));
        }
    }

    /** The error of a refused request. */
    public static ApiException refusal(RateLimiter.Decision d) {
        long retryAfter = retryAfterSeconds(d);
        return new ApiException(429, "RateLimitExceeded", "Too many requests; retry after " + retryAfter + " s",
                Map.of("retry_after_seconds", retryAfter), true);
    }

    private static long retryAfterSeconds(RateLimiter.Decision d) {
        return Math.max(1, seconds(d.retryAfterMs()));
    }

    private static long seconds(long ms) {
        return (ms + 999) / 1000;
    }
}
