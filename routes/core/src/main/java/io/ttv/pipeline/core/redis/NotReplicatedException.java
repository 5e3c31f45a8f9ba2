package io.ttv.pipeline.core.redis;

import org.springframework.dao.TransientDataAccessResourceException;

/**
 * A write reached the master but fewer replicas than {@code TTV_REDIS_WAIT_REPLICAS} acknowledged it in time: a
 * failover now could lose it. Like any Redis failure of a request, the API answers 503 {@code RedisUnavailable}.
 */
public class NotReplicatedException extends TransientDataAccessResourceException {
    public NotReplicatedException(String what, long acknowledged, int required) {
        super(what + " reached " + acknowledged + " of " + required + " required replica(s) in time");
    }
}
