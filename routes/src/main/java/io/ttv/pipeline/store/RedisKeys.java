package io.ttv.pipeline.store;

/** Every Redis key of the product (SPEC §5). The {@code rq:} names are those the operations guide uses. */
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

    public static String heartbeat(String workerId) {
        return "ttv:worker:" + workerId + ":heartbeat";
    }
}
