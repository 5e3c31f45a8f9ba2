package io.ttv.pipeline.core.redis;

/**
 * Every Redis key of the product (docs/architecture.md), for one kind of Redis. {@link #STANDARD} names are those
 * the operations guide uses; {@link #CLUSTER} puts the same names behind one hash tag. Lua scripts never spell a key:
 * they get each from these methods through {@code KEYS} (or a prefix through {@code ARGV}).
 */
public final class RedisKeys {
    /** One Redis or a Sentinel-managed one: {@code rq:queue:default}, {@code rq:job:<id>}, … */
    public static final RedisKeys STANDARD = new RedisKeys("");
    /**
     * A Redis Cluster: every name starts with the hash tag {@code {ttv}:}, so all keys are in one slot and every
     * script and multi-key command (BLMOVE, the job scripts) keeps working.
     */
    public static final RedisKeys CLUSTER = new RedisKeys("{ttv}:");

    /** Pub/sub channel on which the id of a canceled running job is published to its worker. */
    public static final String CANCEL_CHANNEL = "ttv:cancel";
    /** Pub/sub channel on which the id of every job whose status or progress changed is published (long-poll). */
    public static final String JOB_EVENTS_CHANNEL = "ttv:job-events";

    private final String prefix;

    private RedisKeys(String prefix) {
        this.prefix = prefix;
    }

    /** LIST of queued job ids: new jobs enter on the left, workers take from the right. */
    public String queue() {
        return prefix + "rq:queue:default";
    }

    /** ZSET job id → creation time (epoch ms): the listing index. */
    public String jobsIndex() {
        return prefix + "rq:jobs";
    }

    /** ZSET job id → due time (epoch ms) of jobs waiting to be retried. */
    public String delayed() {
        return prefix + "rq:queue:delayed";
    }

    /** ZSET worker id → last heartbeat (epoch ms): live workers are counted without scanning keys. */
    public String workers() {
        return prefix + "ttv:workers";
    }

    /** Lease held by the one node whose reaper is active. */
    public String reaperLock() {
        return prefix + "ttv:reaper:lock";
    }

    /** Lease held by the one node whose retention sweep is active. */
    public String retentionLock() {
        return prefix + "ttv:retention:lock";
    }

    /** ZSET dead-letter id → time (epoch ms) a callback was given up on; each id has a {@link #callbackDeadLetter} hash. */
    public String callbackDeadLetters() {
        return prefix + "ttv:callbacks:dead";
    }

    /**
     * ZSET delivery id → due time (epoch ms) of the callback deliveries waiting for an attempt; while a node makes
     * an attempt the score is the end of its lease. Each id has a {@link #callbackDelivery} hash.
     */
    public String callbacksDue() {
        return prefix + "ttv:callbacks:due";
    }

    public String job(String id) {
        return prefix + "rq:job:" + id;
    }

    public String jobLogs(String id) {
        return prefix + "rq:job:" + id + ":logs";
    }

    public String processing(String workerId) {
        return prefix + "ttv:worker:" + workerId + ":processing";
    }

    public String heartbeat(String workerId) {
        return prefix + "ttv:worker:" + workerId + ":heartbeat";
    }

    /** Token bucket of one API client (an API key's digest or a client address). */
    public String rateLimit(String client) {
        return prefix + "ttv:ratelimit:" + client;
    }

    /** The outcome of one {@code Idempotency-Key}, scoped to the client that sent it. */
    public String idempotency(String scopedKeyDigest) {
        return prefix + "ttv:idempotency:" + scopedKeyDigest;
    }

    /** A callback delivery waiting for (or in) an attempt: job, event, token, attempt, the message once fixed. */
    public String callbackDelivery(String id) {
        return prefix + "ttv:callback:pending:" + id;
    }

    /** A callback given up on after its redeliveries: job id, event, target, error, time (ttv:callbacks). */
    public String callbackDeadLetter(String id) {
        return prefix + "ttv:callback:dead:" + id;
    }

    /** The id of the dead letter of a job's callback event ({@code <job id>_<event>}): one per job and event. */
    public static String callbackDeadLetterId(String jobId, String event) {
        return callbackDeliveryId(jobId, event);
    }

    /**
     * The id of the pending delivery of a job's callback event: the same as its dead letter's, so a callback keeps
     * one name from its queueing to its replay.
     */
    public static String callbackDeliveryId(String jobId, String event) {
        return jobId + "_" + event;
    }
}
