package io.ttv.pipeline.core.redis;

import io.ttv.pipeline.core.domain.JobStatus;
import io.ttv.pipeline.core.domain.Timestamps;
import org.springframework.data.redis.connection.DecoratedRedisConnection;
import org.springframework.data.redis.connection.RedisClusterConnection;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisListCommands.Direction;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.RedisOperations;
import org.springframework.data.redis.core.SessionCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.ZSetOperations;
import org.springframework.data.redis.core.script.DefaultRedisScript;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Jobs in Redis: creation, reads, the state machine (a Lua script, so every writer goes through the same
 * atomic rules), the reliable claim into a per-worker processing list and its acknowledgement.
 */
public class JobStore {
    public static final int MAX_LOG_LINES = 1000;
    static final int MAX_EXAMINED = 1000;

    /** How long an {@code Idempotency-Key} is remembered (docs/api.md). */
    public static final Duration IDEMPOTENCY_RETENTION = Duration.ofHours(24);

    /** Error of a job failed because its attempts were used up by lost or stopped workers. */
    public static final String ATTEMPTS_EXHAUSTED =
            "The job was interrupted on its last allowed attempt and was not completed";

    private final StringRedisTemplate redis;
    private final ReplicaAcknowledgement replicas;
    private final RedisKeys keys;
    @SuppressWarnings("rawtypes")
    private final DefaultRedisScript<List> createScript;
    @SuppressWarnings("rawtypes")
    private final DefaultRedisScript<List> transitionScript;
    @SuppressWarnings("rawtypes")
    private final DefaultRedisScript<List> requeueScript;
    private final DefaultRedisScript<Long> lockScript;
    private final DefaultRedisScript<Long> appendLogScript;
    @SuppressWarnings("rawtypes")
    private final DefaultRedisScript<List> cancelScript;
    @SuppressWarnings("rawtypes")
    private final DefaultRedisScript<List> retryScript;
    private final DefaultRedisScript<Long> promoteScript;
    @SuppressWarnings("rawtypes")
    private final DefaultRedisScript<List> readJobsScript;
    @SuppressWarnings("rawtypes")
    private final DefaultRedisScript<List> fleetCountsScript;

    public JobStore(StringRedisTemplate redis, RedisKeys keys) {
        this(redis, keys, ReplicaAcknowledgement.NONE);
    }

    /** @param replicas how many replicas must hold a new job before its creation returns */
    public JobStore(StringRedisTemplate redis, RedisKeys keys, ReplicaAcknowledgement replicas) {
        this.redis = redis;
        this.keys = keys;
        this.replicas = replicas;
        String stateMachine = luaSource("state-machine.lua");
        this.createScript = new DefaultRedisScript<>(luaSource("token-bucket.lua") + luaSource("create-job.lua"),
                List.class);
        this.transitionScript = new DefaultRedisScript<>(stateMachine + luaSource("transition.lua"), List.class);
        this.requeueScript = new DefaultRedisScript<>(stateMachine + luaSource("requeue-worker.lua"), List.class);
        this.lockScript = new DefaultRedisScript<>(luaSource("acquire-lock.lua"), Long.class);
        this.appendLogScript = new DefaultRedisScript<>(luaSource("append-log.lua"), Long.class);
        this.cancelScript = new DefaultRedisScript<>(stateMachine + luaSource("cancel.lua"), List.class);
        this.retryScript = new DefaultRedisScript<>(stateMachine + luaSource("schedule-retry.lua"), List.class);
        this.promoteScript = new DefaultRedisScript<>(luaSource("promote-due.lua"), Long.class);
        this.readJobsScript = new DefaultRedisScript<>(luaSource("read-jobs.lua"), List.class);
        this.fleetCountsScript = new DefaultRedisScript<>(luaSource("fleet-counts.lua"), List.class);
    }

    static String luaSource(String name) {
        try (InputStream in = JobStore.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8) + "\n";
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("Lua script " + name + " missing from the bundle", e);
        }
    }

    /** The key names this store uses (the flows' own reads and leases take theirs from here). */
    public RedisKeys keys() {
        return keys;
    }

    /** Stores a new job hash, indexes it and queues it in one atomic step. */
    public void create(String id, Instant createdAt, Map<String, String> fields) {
        create(id, createdAt, fields, null);
    }

    /**
     * Stores a new job unless {@code idempotency} names an earlier request: then nothing is written and the
     * earlier job is returned, as a replay (same fingerprint) or a reuse of the key for another request.
     *
     * @throws NotReplicatedException if a created or replayed job did not reach the required replicas in time
     */
    public CreateResult create(String id, Instant createdAt, Map<String, String> fields, Idempotency idempotency) {
        return create(id, createdAt, fields, idempotency, null);
    }

    /**
     * As {@link #create(String, Instant, Map, Idempotency)}, the request first taking a token from {@code bucket}
     * (null: none) in the same call: when the bucket is empty nothing is written ({@link CreateResult.Outcome#LIMITED}).
     */
    public CreateResult create(String id, Instant createdAt, Map<String, String> fields, Idempotency idempotency,
                               RateLimiter.Bucket bucket) {
        List<String> args = new ArrayList<>(7 + fields.size() * 2);
        args.add(id);
        args.add(Long.toString(createdAt.toEpochMilli()));
        args.add(idempotency == null ? "" : idempotency.fingerprint());
        args.add(Long.toString(IDEMPOTENCY_RETENTION.toSeconds()));
        args.add(idempotency == null ? "0" : "1");
        args.add(bucket == null ? "" : bucket.tokensPerMs());
        args.add(bucket == null ? "" : Integer.toString(bucket.burst()));
        fields.forEach((k, v) -> {
            args.add(k);
            args.add(v);
        });
        List<String> scriptKeys = new ArrayList<>(5);
        Collections.addAll(scriptKeys, keys.job(id), keys.jobsIndex(), keys.queue());
        if (idempotency != null) {
            scriptKeys.add(keys.idempotency(idempotency.scopedKeyDigest()));
        }
        if (bucket != null) {
            scriptKeys.add(bucket.key());
        }
        if (replicas.count() == 0) {
            return createResult(id, redis.execute(createScript, scriptKeys, args.toArray()), bucket);
        }
        // WAIT counts the replicas that have the replication stream up to this connection's last command, so the
        // script and WAIT must share one. That covers a replayed job too, although another connection wrote it.
        return redis.execute(new SessionCallback<CreateResult>() {
            @Override
            public <K, V> CreateResult execute(RedisOperations<K, V> operations) {
                CreateResult created = createResult(id, redis.execute(createScript, scriptKeys, args.toArray()),
                        bucket);
                if (created.outcome() != CreateResult.Outcome.REUSED
                        && created.outcome() != CreateResult.Outcome.LIMITED) {
                    awaitReplicas("job " + created.jobId());
                }
                return created;
            }
        });
    }

    private static CreateResult createResult(String id, List<?> r, RateLimiter.Bucket bucket) {
        if (r == null || r.size() != (bucket == null ? 2 : 6) || "exists".equals(r.get(0))) {
            throw new IllegalStateException("job " + id + " not created: create-job returned " + r);
        }
        return new CreateResult(CreateResult.Outcome.valueOf(r.get(0).toString().toUpperCase(Locale.ROOT)),
                r.get(1).toString(), bucket == null ? null : RateLimiter.decision(r, 2, bucket.burst()));
    }

    /** Redis {@code WAIT} on the current connection: every earlier write of it must reach the required replicas. */
    private void awaitReplicas(String what) {
        Long acknowledged = redis.execute((RedisCallback<Long>) c -> (Long) c.execute("WAIT",
                Integer.toString(replicas.count()).getBytes(StandardCharsets.US_ASCII),
                Long.toString(replicas.timeout().toMillis()).getBytes(StandardCharsets.US_ASCII)));
        if (acknowledged == null || acknowledged < replicas.count()) {
            throw new NotReplicatedException(what, acknowledged == null ? 0 : acknowledged, replicas.count());
        }
    }

    /**
     * How many replicas must acknowledge a new job before it is accepted ({@code TTV_REDIS_WAIT_REPLICAS}; 0: none),
     * and how long to wait for them.
     */
    public record ReplicaAcknowledgement(int count, Duration timeout) {
        public static final ReplicaAcknowledgement NONE = new ReplicaAcknowledgement(0, Duration.ZERO);
    }

    /** An {@code Idempotency-Key} (digested with the client it belongs to) and the fingerprint of its request. */
    public record Idempotency(String scopedKeyDigest, String fingerprint) {
    }

    /**
     * Jobs by position in the {@code rq:jobs} index, newest first ({@code offset} 0 is the newest): the paging of
     * the un-versioned {@code GET /jobs}.
     */
    public List<Map<String, String>> range(int offset, int limit) {
        Set<String> ids = redis.opsForZSet().reverseRange(keys.jobsIndex(), offset, offset + limit - 1L);
        if (ids == null || ids.isEmpty()) {
            return List.of();
        }
        return hashes(ids).stream().filter(h -> !h.isEmpty()).toList();
    }

    public Map<String, String> get(String id) {
        Map<Object, Object> raw = redis.opsForHash().entries(keys.job(id));
        if (raw.isEmpty()) {
            return null;
        }
        Map<String, String> out = new java.util.HashMap<>();
        raw.forEach((k, v) -> out.put(k.toString(), v.toString()));
        return out;
    }

    /**
     * Moves a job to {@code target} if the state machine allows it.
     *
     * @param progress new progress (kept only if higher), or {@code null}
     * @param fields   further fields to write with the transition (field, value, field, value …)
     */
    public TransitionResult transition(String id, JobStatus target, Integer progress, String... fields) {
        return transition(id, Transition.to(target).progress(progress).set(fields));
    }

    /** Moves a job as {@code t} says, with everything {@code t} adds to the move, in one Redis call. */
    public TransitionResult transition(String id, Transition t) {
        String now = Timestamps.now();
        List<String> args = new ArrayList<>(7 + t.logLines.size() + t.fields.size());
        args.add(id);
        args.add(t.target.wire());
        args.add(now);
        args.add(t.progress == null ? "" : Integer.toString(t.progress));
        args.add(Integer.toString(MAX_LOG_LINES));
        args.add(t.returningJob ? "1" : "0");
        args.add(Integer.toString(t.logLines.size()));
        for (String message : t.logLines) {
            args.add(logLine(now, message));
        }
        args.addAll(t.fields);
        List<String> scriptKeys = t.acknowledgedBy == null
                ? List.of(keys.job(id), keys.jobLogs(id))
                : List.of(keys.job(id), keys.jobLogs(id), keys.processing(t.acknowledgedBy));
        List<?> r = redis.execute(transitionScript, scriptKeys, stateMachineArgs(args));
        TransitionResult result = result(r);
        return r.size() > 2 ? new TransitionResult(result.outcome(), result.status(), fields(r.get(2))) : result;
    }

    /**
     * The arguments of a script that has {@code state-machine.lua} prepended: the job-events channel first (the
     * state machine takes it off), then the script's own.
     */
    static Object[] stateMachineArgs(List<String> args) {
        Object[] out = new Object[args.size() + 1];
        out[0] = RedisKeys.JOB_EVENTS_CHANNEL;
        System.arraycopy(args.toArray(), 0, out, 1, args.size());
        return out;
    }

    private static TransitionResult result(List<?> r) {
        long code = ((Number) r.get(0)).longValue();
        if (code == -1) {
            return new TransitionResult(TransitionResult.Outcome.MISSING, null);
        }
        JobStatus status = JobStatus.fromWire(r.get(1).toString());
        return new TransitionResult(code == 1 ? TransitionResult.Outcome.APPLIED : TransitionResult.Outcome.REFUSED,
                status);
    }

    /**
     * Cancels a job: a queued one leaves the queue; a running one is marked canceled and its worker signalled on
     * {@link RedisKeys#CANCEL_CHANNEL}. Terminal jobs are refused with their status.
     */
    public CancelResult cancel(String id) {
        List<?> r = redis.execute(cancelScript, List.of(keys.job(id), keys.queue(), keys.delayed()),
                stateMachineArgs(List.of(Timestamps.now(), id, RedisKeys.CANCEL_CHANNEL)));
        long code = ((Number) r.get(0)).longValue();
        String detail = r.get(1).toString();
        if (code == -1) {
            return new CancelResult(CancelResult.Outcome.MISSING, null);
        }
        if (code == 0) {
            return new CancelResult(CancelResult.Outcome.TERMINAL, JobStatus.fromWire(detail));
        }
        return new CancelResult("queued".equals(detail) ? CancelResult.Outcome.DEQUEUED : CancelResult.Outcome.SIGNALLED,
                JobStatus.CANCELED);
    }

    /**
     * Returns a running job that failed with a retryable error to the queue after {@code delay}: it waits in
     * {@link RedisKeys#delayed} and leaves the worker's processing list, atomically.
     */
    public TransitionResult scheduleRetry(String id, String workerId, Duration delay, String error) {
        List<?> r = redis.execute(retryScript, List.of(keys.job(id), keys.delayed(),
                keys.processing(workerId)), stateMachineArgs(List.of(Timestamps.now(),
                Long.toString(System.currentTimeMillis() + delay.toMillis()), id, error)));
        return result(r);
    }

    /** Moves up to {@code max} due retries to the front of the queue; returns how many moved. */
    public long promoteDueRetries(int max) {
        Long moved = redis.execute(promoteScript, List.of(keys.delayed(), keys.queue()),
                Long.toString(System.currentTimeMillis()), Integer.toString(max));
        return moved == null ? 0 : moved;
    }

    /** Appends a {@code [timestamp] message} line to the job's log, keeping the newest {@value #MAX_LOG_LINES}. */
    public void log(String id, String message) {
        redis.execute(appendLogScript, List.of(keys.jobLogs(id)), Integer.toString(MAX_LOG_LINES),
                logLine(Timestamps.now(), message));
    }

    private static String logLine(String timestamp, String message) {
        return "[" + timestamp + "] " + message;
    }

    /**
     * A page of jobs from the {@code rq:jobs} index, newest first, after {@code after} (null = from the newest),
     * optionally only those in {@code status}. Examines at most {@value #MAX_EXAMINED} index entries per call, so a
     * rare status costs bounded work per page (the page may then be short, with a cursor to go on).
     */
    public JobPage page(JobPage.Position after, int limit, JobStatus status) {
        List<Map<String, String>> jobs = new ArrayList<>();
        JobPage.Position last = after;
        int examined = 0;
        int batch = limit + 1;
        while (jobs.size() < limit && examined < MAX_EXAMINED) {
            double max = last == null ? Double.POSITIVE_INFINITY : last.score();
            Set<ZSetOperations.TypedTuple<String>> entries = redis.opsForZSet()
                    .reverseRangeByScoreWithScores(keys.jobsIndex(), Double.NEGATIVE_INFINITY, max, 0, batch);
            List<ZSetOperations.TypedTuple<String>> fresh = new ArrayList<>();
            for (ZSetOperations.TypedTuple<String> e : entries) {
                if (last == null || isAfter(position(e), last)) {
                    fresh.add(e);
                }
            }
            boolean endOfIndex = entries.size() < batch;
            if (fresh.isEmpty()) {
                if (endOfIndex) {
                    return new JobPage(jobs, null);
                }
                batch *= 2; // more jobs created in the same millisecond than one batch holds: look further
                continue;
            }
            List<Map<String, String>> hashes = hashes(fresh.stream().map(ZSetOperations.TypedTuple::getValue).toList());
            for (int i = 0; i < fresh.size(); i++) {
                if (jobs.size() == limit) {
                    return new JobPage(jobs, last.encode());
                }
                examined++;
                last = position(fresh.get(i));
                Map<String, String> hash = hashes.get(i);
                if (!hash.isEmpty() && (status == null || status.wire().equals(hash.get("status")))) {
                    jobs.add(hash);
                }
            }
            if (endOfIndex) {
                return new JobPage(jobs, null);
            }
        }
        return new JobPage(jobs, last == null ? null : last.encode());
    }

    /** Index order, newest first: a lower creation time, or for the same time a lower id, comes after. */
    private static boolean isAfter(JobPage.Position p, JobPage.Position cursor) {
        return p.score() < cursor.score() || (p.score() == cursor.score() && p.id().compareTo(cursor.id()) < 0);
    }

    private static JobPage.Position position(ZSetOperations.TypedTuple<String> e) {
        return new JobPage.Position(e.getScore(), e.getValue());
    }

    @SuppressWarnings("unchecked")
    /** The hashes of {@code ids} in one round trip (a script: empty for a missing job), in the order given. */
    private List<Map<String, String>> hashes(Collection<String> ids) {
        List<?> raw = redis.execute(readJobsScript, ids.stream().map(keys::job).toList());
        List<Map<String, String>> out = new ArrayList<>(ids.size());
        for (Object hash : raw == null ? List.of() : raw) {
            out.add(fields(hash));
        }
        return out;
    }

    /** A hash as a script returns it (HGETALL's field, value list) as field → value. */
    private static Map<String, String> fields(Object hash) {
        Map<String, String> m = new java.util.HashMap<>();
        if (hash instanceof List<?> pairs) {
            for (int i = 0; i + 1 < pairs.size(); i += 2) {
                m.put(pairs.get(i).toString(), pairs.get(i + 1).toString());
            }
        }
        return m;
    }

    /** The newest {@code tail} log lines of a job, oldest first. */
    public List<String> logs(String id, int tail) {
        if (tail == 0) {
            return List.of();
        }
        List<String> lines = redis.opsForList().range(keys.jobLogs(id), -tail, -1);
        return lines == null ? List.of() : lines;
    }

    /** The job's status alone (one HGET), or null when there is no such job. */
    public JobStatus status(String id) {
        Object status = redis.opsForHash().get(keys.job(id), "status");
        return status == null ? null : JobStatus.fromWire(status.toString());
    }

    public boolean exists(String id) {
        return Boolean.TRUE.equals(redis.hasKey(keys.job(id)));
    }

    /**
     * Atomically moves the oldest queued job id into this worker's processing list (BLMOVE), waiting up to
     * {@code wait}. Returns {@code null} when nothing arrived in time.
     */
    public String claim(String workerId, Duration wait) {
        return redis.opsForList().move(keys.queue(), Direction.RIGHT, keys.processing(workerId),
                Direction.LEFT, wait);
    }

    /** Removes a job from the worker's processing list; call only after its terminal state is written. */
    public void acknowledge(String workerId, String id) {
        redis.opsForList().remove(keys.processing(workerId), 1, id);
    }

    /**
     * Returns a worker's unfinished jobs to the queue (oldest claim first) and deletes its processing list. A running
     * job that has had {@code maxAttempts} starts is failed instead; its id is in the result.
     */
    public RequeueResult requeue(String workerId, int maxAttempts) {
        return giveBack(workerId, maxAttempts, List.of());
    }

    /**
     * Gives back only {@code ids} from a live worker's processing list (all of them when empty): a running job
     * returns to the queue (or fails when out of attempts), an already ended one just leaves the list.
     */
    public RequeueResult giveBack(String workerId, int maxAttempts, Collection<String> ids) {
        List<String> args = new ArrayList<>(List.of(Integer.toString(maxAttempts), Timestamps.now(),
                keys.job(""), ATTEMPTS_EXHAUSTED));
        args.addAll(ids);
        List<?> r = redis.execute(requeueScript, List.of(keys.processing(workerId), keys.queue()),
                stateMachineArgs(args));
        List<String> failed = r.subList(1, r.size()).stream().map(Object::toString).toList();
        return new RequeueResult(((Number) r.get(0)).intValue(), failed);
    }

    /** The ids in a worker's processing list. */
    public List<String> processing(String workerId) {
        List<String> ids = redis.opsForList().range(keys.processing(workerId), 0, -1);
        return ids == null ? List.of() : ids;
    }

    /** Takes or renews a lease on {@code key} for {@code holder}; true while the holder has it. */
    public boolean lease(String key, String holder, Duration ttl) {
        Long held = redis.execute(lockScript, List.of(key), holder, Long.toString(ttl.toMillis()));
        return held != null && held == 1L;
    }

    /** Workers in the index whose heartbeat key has expired: they died without deregistering. */
    public List<String> deadWorkers(Duration ttl) {
        Set<String> stale = redis.opsForZSet().rangeByScore(keys.workers(), Double.NEGATIVE_INFINITY,
                System.currentTimeMillis() - ttl.toMillis());
        if (stale == null) {
            return List.of();
        }
        return stale.stream().filter(w -> !Boolean.TRUE.equals(redis.hasKey(keys.heartbeat(w)))).toList();
    }

    /** Renews the worker's heartbeat key (with a TTL) and its entry in the live-workers index. */
    public void heartbeat(String workerId, Duration ttl) {
        redis.opsForValue().set(keys.heartbeat(workerId), Timestamps.now(), ttl);
        redis.opsForZSet().add(keys.workers(), workerId, System.currentTimeMillis());
    }

    public void removeWorker(String workerId) {
        redis.delete(keys.heartbeat(workerId));
        redis.opsForZSet().remove(keys.workers(), workerId);
    }

    /** Workers whose last heartbeat is newer than {@code ttl}. */
    public long liveWorkers(Duration ttl) {
        Long n = redis.opsForZSet().count(keys.workers(), System.currentTimeMillis() - ttl.toMillis(),
                Double.POSITIVE_INFINITY);
        return n == null ? 0 : n;
    }

    public long queueDepth() {
        Long n = redis.opsForList().size(keys.queue());
        return n == null ? 0 : n;
    }

    public boolean ping() {
        String pong = redis.execute(c -> c.ping(), true);
        return "PONG".equalsIgnoreCase(pong);
    }

    /** Jobs waiting in the queue and jobs in the processing lists of live workers, in one round trip. */
    public FleetCounts fleetCounts(Duration heartbeatTtl) {
        String processing = keys.processing("\u0000");
        int mark = processing.indexOf('\u0000');
        List<?> r = redis.execute(fleetCountsScript, List.of(keys.queue(), keys.workers()),
                Long.toString(System.currentTimeMillis() - heartbeatTtl.toMillis()), processing.substring(0, mark),
                processing.substring(mark + 1));
        return new FleetCounts(((Number) r.get(0)).longValue(), ((Number) r.get(1)).longValue());
    }

    public record FleetCounts(long queued, long processing) {
    }

    /**
     * Redis {@code INFO} (default sections: clients, memory, …) as key → value. In a Redis Cluster, that of the node
     * holding the product's keys (they share one slot).
     */
    public Properties info() {
        Properties info = redis.execute(c -> {
            RedisConnection raw = c instanceof DecoratedRedisConnection d ? d.getDelegate() : c;
            return raw instanceof RedisClusterConnection cluster
                    ? cluster.serverCommands().info(cluster.clusterGetNodeForKey(
                            keys.queue().getBytes(StandardCharsets.UTF_8)))
                    : c.serverCommands().info();
        }, true);
        return info == null ? new Properties() : info;
    }
}
