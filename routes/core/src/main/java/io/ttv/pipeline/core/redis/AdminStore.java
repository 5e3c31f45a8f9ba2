package io.ttv.pipeline.core.redis;

import io.ttv.pipeline.core.domain.CreateJobRequest;
import io.ttv.pipeline.core.domain.JobStatus;
import io.ttv.pipeline.core.domain.Timestamps;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.ZSetOperations;
import org.springframework.data.redis.core.script.DefaultRedisScript;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The operator's view of the Redis state behind the Karaf console ({@code ttv:*} commands): an explicit retry of a
 * failed job, purging old terminal jobs, queue and worker statistics. Every state change goes through a Lua script.
 */
public class AdminStore {
    /** Index entries read per round trip while purging. */
    static final int PURGE_BATCH = 500;

    private final StringRedisTemplate redis;
    private final RedisKeys keys;
    @SuppressWarnings("rawtypes")
    private final DefaultRedisScript<List> retryScript;
    private final DefaultRedisScript<Long> purgeScript;

    public AdminStore(StringRedisTemplate redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
        this.retryScript = new DefaultRedisScript<>(JobStore.luaSource("state-machine.lua")
                + JobStore.luaSource("admin-retry.lua"), List.class);
        this.purgeScript = new DefaultRedisScript<>(JobStore.luaSource("purge-job.lua"), Long.class);
    }

    /**
     * Puts a failed job back in the queue with a fresh set of attempts (admin-retry.lua). Refused for any other
     * status, finished and canceled included.
     */
    public TransitionResult retryFailed(String id) {
        List<?> r = redis.execute(retryScript, List.of(keys.job(id), keys.queue()),
                JobStore.stateMachineArgs(List.of(Timestamps.now(), id)));
        long code = ((Number) r.get(0)).longValue();
        if (code == -1) {
            return new TransitionResult(TransitionResult.Outcome.MISSING, null);
        }
        return new TransitionResult(code == 1 ? TransitionResult.Outcome.APPLIED : TransitionResult.Outcome.REFUSED,
                JobStatus.fromWire(r.get(1).toString()));
    }

    /**
     * Deletes the terminal jobs that ended before {@code cutoff}: hash, logs, index entry and callback dead letters.
     * Only jobs created before the cutoff can qualify, so only that part of the index is read.
     *
     * @return how many jobs were deleted
     */
    public int purgeTerminal(Instant cutoff) {
        return purgeTerminal(cutoff, Integer.MAX_VALUE);
    }

    /**
     * As {@link #purgeTerminal(Instant)}, stopping once {@code max} jobs were deleted. The index is read
     * {@value #PURGE_BATCH} entries at a time and each job is deleted by its own short script, so other clients are
     * served in between: a large backlog never blocks Redis, and {@code max} bounds one call's length.
     */
    public int purgeTerminal(Instant cutoff, int max) {
        String cutoffIso = Timestamps.format(cutoff);
        int purged = 0;
        double min = Double.NEGATIVE_INFINITY;
        long offset = 0;
        while (purged < max) {
            Set<ZSetOperations.TypedTuple<String>> batch = redis.opsForZSet().rangeByScoreWithScores(
                    keys.jobsIndex(), min, cutoff.toEpochMilli(), offset, PURGE_BATCH);
            if (batch == null || batch.isEmpty()) {
                return purged;
            }
            int kept = 0;
            for (ZSetOperations.TypedTuple<String> e : batch) {
                if (purged == max) {
                    return purged;
                }
                Long r = purge(e.getValue(), cutoffIso);
                if (r != null && r == 1L) {
                    purged++;
                } else if (r == null || r == 0L) {
                    kept++;
                }
            }
            if (batch.size() < PURGE_BATCH) {
                return purged;
            }
            offset += kept; // deleted entries left the index; the kept ones are skipped
        }
        return purged;
    }

    /** purge-job.lua for one job: its hash, logs, index entry and the dead letters of each callback event. */
    private Long purge(String id, String cutoffIso) {
        List<String> scriptKeys = new ArrayList<>(List.of(keys.job(id), keys.jobLogs(id), keys.jobsIndex(),
                keys.callbackDeadLetters()));
        List<String> args = new ArrayList<>(List.of(id, cutoffIso));
        for (String event : CreateJobRequest.EVENT_TYPES) {
            String deadLetter = RedisKeys.callbackDeadLetterId(id, event);
            scriptKeys.add(keys.callbackDeadLetter(deadLetter));
            args.add(deadLetter);
        }
        return redis.execute(purgeScript, scriptKeys, args.toArray());
    }

    /** Queue statistics at one moment (several reads, not one atomic snapshot). */
    public QueueSnapshot queue() {
        Long depth = redis.opsForList().size(keys.queue());
        Long delayed = redis.opsForZSet().zCard(keys.delayed());
        Long dueDelayed = redis.opsForZSet().count(keys.delayed(), Double.NEGATIVE_INFINITY,
                System.currentTimeMillis());
        String oldest = redis.opsForList().index(keys.queue(), -1);
        String oldestSince = null;
        if (oldest != null) {
            Object updated = redis.opsForHash().get(keys.job(oldest), "updated_at");
            Object created = redis.opsForHash().get(keys.job(oldest), "created_at");
            oldestSince = updated != null ? updated.toString() : created == null ? null : created.toString();
        }
        Map<String, Long> processing = new LinkedHashMap<>();
        for (WorkerEntry w : workers()) {
            processing.put(w.id(), w.active());
        }
        return new QueueSnapshot(depth == null ? 0 : depth, delayed == null ? 0 : delayed,
                dueDelayed == null ? 0 : dueDelayed, oldest, oldestSince, processing);
    }

    /** Workers in the live-workers index, oldest heartbeat first, with their processing lists' lengths. */
    public List<WorkerEntry> workers() {
        Set<ZSetOperations.TypedTuple<String>> entries = redis.opsForZSet().rangeWithScores(keys.workers(), 0, -1);
        List<WorkerEntry> out = new ArrayList<>();
        if (entries == null) {
            return out;
        }
        for (ZSetOperations.TypedTuple<String> e : entries) {
            String id = e.getValue();
            Long active = redis.opsForList().size(keys.processing(id));
            boolean beating = Boolean.TRUE.equals(redis.hasKey(keys.heartbeat(id)));
            out.add(new WorkerEntry(id, e.getScore() == null ? 0 : e.getScore().longValue(), beating,
                    active == null ? 0 : active, redis.opsForList().range(keys.processing(id), 0, -1)));
        }
        return out;
    }

    /**
     * @param oldestJob   id of the job that has waited longest, or null when the queue is empty
     * @param oldestSince when it entered the queue (ISO-8601), or null
     * @param processing  worker id → jobs in its processing list
     */
    public record QueueSnapshot(long depth, long delayed, long dueDelayed, String oldestJob, String oldestSince,
                                Map<String, Long> processing) {
    }

    /** A worker of the live-workers index: last heartbeat (epoch ms), whether its heartbeat key still exists. */
    public record WorkerEntry(String id, long lastHeartbeatMillis, boolean heartbeatKey, long active,
                              List<String> jobs) {
    }
}
