package io.ttv.pipeline.core.redis;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The key names operators type: the operations guide's for one Redis, the same behind {@code {ttv}:} in a cluster. */
class RedisKeysTest {
    @Test
    void standardNamesAreTheOperationsGuidesAndClusterNamesCarryTheHashTag() {
        assertEquals("rq:queue:default", RedisKeys.STANDARD.queue());
        assertEquals("rq:job:j1", RedisKeys.STANDARD.job("j1"));
        assertEquals("rq:job:j1:logs", RedisKeys.STANDARD.jobLogs("j1"));
        assertEquals("rq:jobs", RedisKeys.STANDARD.jobsIndex());
        assertEquals("rq:queue:delayed", RedisKeys.STANDARD.delayed());
        assertEquals("ttv:worker:w1:processing", RedisKeys.STANDARD.processing("w1"));
        assertEquals("ttv:callbacks:dead", RedisKeys.STANDARD.callbackDeadLetters());
        assertEquals("{ttv}:rq:queue:default", RedisKeys.CLUSTER.queue());
        assertEquals("{ttv}:rq:job:j1:logs", RedisKeys.CLUSTER.jobLogs("j1"));
        assertEquals("{ttv}:ttv:callback:dead:j1_failed",
                RedisKeys.CLUSTER.callbackDeadLetter(RedisKeys.callbackDeadLetterId("j1", "failed")));
    }
}
