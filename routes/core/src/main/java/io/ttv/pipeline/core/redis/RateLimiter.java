package io.ttv.pipeline.core.redis;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;

import java.util.List;

/**
 * Per-client request budgets: a token bucket in Redis (one Lua call per request), so that every API node on the
 * same Redis draws from the same budget. A job creation takes its token within the creation's own Lua call
 * ({@link #bucket}, {@link JobStore#create}); every other request through {@link #take}.
 */
public class RateLimiter {
    private final StringRedisTemplate redis;
    private final RedisKeys keys;
    @SuppressWarnings("rawtypes")
    private final DefaultRedisScript<List> script = new DefaultRedisScript<>(
            JobStore.luaSource("token-bucket.lua") + JobStore.luaSource("rate-limit.lua"),
            List.class);
    private final int perMinute;
    private final int burst;
    private final String tokensPerMs;

    /** @param perMinute sustained requests per minute (0 = unlimited); @param burst bucket size */
    public RateLimiter(StringRedisTemplate redis, RedisKeys keys, int perMinute, int burst) {
        this.redis = redis;
        this.keys = keys;
        this.perMinute = perMinute;
        this.burst = burst;
        this.tokensPerMs = Double.toString(perMinute / 60_000.0);
    }

    public boolean enabled() {
        return perMinute > 0;
    }

    /** Takes one request from {@code client}'s bucket. */
    public Decision take(String client) {
        List<?> r = redis.execute(script, List.of(keys.rateLimit(client)), tokensPerMs, Integer.toString(burst));
        if (r == null || r.size() < 4) {
            throw new IllegalStateException("rate-limit script returned " + r);
        }
        return decision(r, 0, burst);
    }

    /** The bucket of {@code client}, for a script that takes the request's token with its own work. */
    public Bucket bucket(String client) {
        return new Bucket(keys.rateLimit(client), tokensPerMs, burst);
    }

    /** A client's bucket: its key, refill rate (tokens per ms) and size. */
    public record Bucket(String key, String tokensPerMs, int burst) {
    }

    /** The decision in the four figures of {@code token-bucket.lua}, starting at {@code r.get(from)}. */
    static Decision decision(List<?> r, int from, int burst) {
        return new Decision(((Number) r.get(from)).intValue() == 1, burst, ((Number) r.get(from + 1)).intValue(),
                ((Number) r.get(from + 2)).longValue(), ((Number) r.get(from + 3)).longValue());
    }

    /**
     * @param limit        the bucket's size (requests at once)
     * @param remaining    requests the client may still make at once
     * @param retryAfterMs when refused, how long until one request is allowed again
     * @param resetMs      how long until the bucket is full again
     */
    public record Decision(boolean allowed, int limit, int remaining, long retryAfterMs, long resetMs) {
    }
}
