package io.ttv.pipeline.core.redis;

import io.ttv.pipeline.core.domain.Timestamps;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Callbacks given up on after their redeliveries, kept in Redis so that an operator can list and replay them
 * ({@code ttv:callbacks}, {@code ttv:callback-replay}). One entry per job and event: id {@code <job id>_<event>};
 * a later failure of the same event replaces it. Entries are kept until replayed (or their job is purged).
 */
public class CallbackDeadLetters {
    private static final Logger LOG = LoggerFactory.getLogger(CallbackDeadLetters.class);
    /** Longest error message kept. */
    static final int MAX_ERROR = 500;

    private final StringRedisTemplate redis;
    private final RedisKeys keys;

    public CallbackDeadLetters(StringRedisTemplate redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    /**
     * Records a callback given up on after {@code attempts} attempts, with one WARN line. A later failure of the same
     * job event replaces the entry.
     */
    public void record(String jobId, String event, String target, String error, int attempts) {
        Map<String, String> entry = entry(jobId, event, target, error, attempts);
        String id = entry.get("id");
        redis.opsForHash().putAll(keys.callbackDeadLetter(id), entry);
        redis.opsForZSet().add(keys.callbackDeadLetters(), id, System.currentTimeMillis());
        logRecorded(entry);
    }

    /** The fields of a dead letter (its error cut to {@value #MAX_ERROR} characters). */
    static Map<String, String> entry(String jobId, String event, String target, String error, int attempts) {
        if (error.length() > MAX_ERROR) {
            error = error.substring(0, MAX_ERROR);
        }
        String id = RedisKeys.callbackDeadLetterId(jobId, event);
        Map<String, String> entry = new LinkedHashMap<>();
        entry.put("id", id);
        entry.put("job_id", jobId);
        entry.put("event", event);
        entry.put("target", target == null ? "" : target);
        entry.put("error", error);
        entry.put("failed_at", Timestamps.now());
        entry.put("attempts", Integer.toString(attempts));
        return entry;
    }

    /** The one WARN line of a dead letter, saying how to replay it. */
    static void logRecorded(Map<String, String> entry) {
        LOG.warn("Callback {} of job {} given up after {} attempts: {} (ttv:callback-replay {} to retry)",
                entry.get("event"), entry.get("job_id"), entry.get("attempts"), entry.get("error"), entry.get("id"));
    }

    /** All dead letters, oldest first. */
    public List<Map<String, String>> list() {
        return list(0);
    }

    /** The {@code limit} oldest dead letters (all of them when {@code limit} < 1), oldest first. */
    public List<Map<String, String>> list(int limit) {
        Set<String> ids = redis.opsForZSet().range(keys.callbackDeadLetters(), 0, limit < 1 ? -1 : limit - 1);
        List<Map<String, String>> out = new ArrayList<>();
        for (String id : ids == null ? Set.<String>of() : ids) {
            Map<String, String> e = get(id);
            if (e != null) {
                out.add(e);
            }
        }
        return out;
    }

    public Map<String, String> get(String id) {
        Map<Object, Object> raw = redis.opsForHash().entries(keys.callbackDeadLetter(id));
        if (raw.isEmpty()) {
            return null;
        }
        Map<String, String> m = new HashMap<>();
        raw.forEach((k, v) -> m.put(k.toString(), v.toString()));
        return m;
    }

    /** Removes an entry; true when this call removed it (so that two replays of one entry send it once). */
    public boolean remove(String id) {
        Long removed = redis.opsForZSet().remove(keys.callbackDeadLetters(), id);
        redis.delete(keys.callbackDeadLetter(id));
        return removed != null && removed > 0;
    }
}
