package io.ttv.pipeline.core.redis;

/** Every Redis key of the product (docs/architecture.md). The {@code rq:} names are those the operations guide uses. */
public final class RedisKeys {
    public static final String QUEUE = "rq:queue:default";
    public static final String JOBS_INDEX = "rq:jobs";
    /** ZSET job id → due time (epoch ms) of jobs waiting to be retried. */
    public static final String DELAYED = "rq:queue:delayed";
    /** ZSET worker id → last heartbeat (epoch ms): live workers are counted without scanning keys. */
    public static final String WORKERS = "ttv:workers";
    /** Pub/sub channel on which the id of a canceled running job is published to its worker. */
    public static final String CANCEL_CHANNEL = "ttv:cancel";
    /** Lease held by the one node whose reaper is active. */
    public static final String REAPER_LOCK = "ttv:reaper:lock";
    /** Lease held by the one node whose retention sweep is active. */
    public static final String RETENTION_LOCK = "ttv:retention:lock";
    /** Pub/sub channel on which the id of every job whose status or progress changed is published (long-poll). */
    public static final String JOB_EVENTS_CHANNEL = "ttv:job-events";
    /** ZSET dead-letter id → time (epoch ms) a callback was given up on; each id has a {@link #callbackDeadLetter} hash. */
    public static final String CALLBACK_DEAD_LETTERS = "ttv:callbacks:dead";
    /**
     * ZSET delivery id → due time (epoch ms) of the callback deliveries waiting for an attempt; while a node makes
     * an attempt the score is the end of its lease. Each id has a {@link #callbackDelivery} hash.
     */
    public static final String CALLBACKS_DUE = "ttv:callbacks:due";

    private RedisKeys() {
    }

    public static String job(String id) {
        return "rq:job:" + id;
    }

    public static String jobLogs(String id) {
        return "rq:job:" + id + ":logs";
    }

    public static String processing(String workerId) {
        return "ttv:worker:" + workerId + ":processing";
    }

    /** Token bucket of one API client (an API key's digest or a client address). */
    public static String rateLimit(String client) {
        return "ttv:ratelimit:" + client;
    }

    /** The outcome of one {@code Idempotency-Key}, scoped to the client that sent it. */
    public static String idempotency(String scopedKeyDigest) {
        return "ttv:idempotency:" + scopedKeyDigest;
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

    /** A callback delivery waiting for (or in) an attempt: job, event, token, attempt, the message once fixed. */
    public static String callbackDelivery(String id) {
        return "ttv:callback:pending:" + id;
    }

    /** A callback given up on after its redeliveries: job id, event, target, error, time (ttv:callbacks). */
    public static String callbackDeadLetter(String id) {
        return "ttv:callback:dead:" + id;
    }

    public static String heartbeat(String workerId) {
        return "ttv:worker:" + workerId + ":heartbeat";
    }
}
