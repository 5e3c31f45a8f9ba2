package io.ttv.itests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nothing accepted is lost when a node crashes or stops: a job running on a Karaf that is killed with SIGKILL is
 * requeued by the reaper of the next node (its worker's heartbeat expired); a job still running when the node stops
 * gracefully is given back to the queue by the node itself. Either way it finishes on the next node. An upload
 * that fails while storage is down is retried with backoff and the job finishes when storage is back.
 */
class RecoveryIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Distribution dist;

    @BeforeAll
    static void start() throws Exception {
        dist = new Distribution(Map.of("TTV_WORKER_HEARTBEAT_SECONDS", "2", "TTV_WORKER_CONCURRENCY", "1",
                "TTV_SHUTDOWN_GRACE_SECONDS", "1", "TTV_RETRY_BACKOFF_SECONDS", "1"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (dist != null) {
            dist.close();
        }
    }

    @Test
    void jobOfACrashedNodeIsRequeuedAndFinishedByTheNextNode() throws Exception {
        String id = JSON.readTree(dist.postJson("/v1/jobs", "{\"prompt\":\"survives a crash\",\"duration_seconds\":60}")
                .body()).get("id").asText();
        Processes.await("job " + id + " to be rendering", Duration.ofSeconds(60),
                () -> "progress".equals(dist.job(id).get("status").asText()));

        try (Jedis redis = new Jedis("127.0.0.1", dist.redisPort)) {
            boolean held = redis.keys("ttv:worker:*:processing").stream()
                    .anyMatch(list -> redis.lrange(list, 0, -1).contains(id));
            assertTrue(held, "a running job stays in its worker's processing list until it ends");
        }
        dist.crashKaraf();
        try (Jedis redis = new Jedis("127.0.0.1", dist.redisPort)) {
            assertEquals("progress", redis.hget("rq:job:" + id, "status"), "the crash left the job running");
            assertEquals(0L, redis.llen("rq:queue:default"), "the job is held by the dead worker, not queued");
        }

        dist.startKaraf();
        Processes.await("job " + id + " to finish on the restarted node", Duration.ofSeconds(120), () -> {
            JsonNode job = dist.job(id);
            if ("failed".equals(job.get("status").asText())) {
                throw new AssertionError("job failed: " + job);
            }
            return "finished".equals(job.get("status").asText());
        });
        JsonNode job = dist.job(id);
        assertEquals(2, job.get("attempts").asInt(), "one start on each node");
        assertTrue(dist.karafLog().contains("lost its heartbeat"), "the reaper recovered the job");
        try (Jedis redis = new Jedis("127.0.0.1", dist.redisPort)) {
            assertEquals(0L, redis.llen("rq:queue:default"));
        }
    }

    @Test
    void jobRunningWhenTheNodeStopsGoesBackToTheQueueAndFinishesAfterRestart() throws Exception {
        String id = JSON.readTree(dist.postJson("/v1/jobs", "{\"prompt\":\"survives a stop\",\"duration_seconds\":60}")
                .body()).get("id").asText();
        Processes.await("job " + id + " to be rendering", Duration.ofSeconds(60),
                () -> "progress".equals(dist.job(id).get("status").asText()));

        dist.stopKaraf();
        try (Jedis redis = new Jedis("127.0.0.1", dist.redisPort)) {
            assertEquals("queued", redis.hget("rq:job:" + id, "status"), "a stop is not a failure");
            assertEquals(java.util.List.of(id), redis.lrange("rq:queue:default", 0, -1));
            assertEquals("1", redis.hget("rq:job:" + id, "attempts"));
            assertEquals(0L, redis.zcard("ttv:workers"), "the stopped worker deregistered");
        }

        dist.startKaraf();
        Processes.await("job " + id + " to finish after the restart", Duration.ofSeconds(120),
                () -> "finished".equals(dist.job(id).get("status").asText()));
        assertEquals(2, dist.job(id).get("attempts").asInt());
    }

    @Test
    void uploadThatFailsDuringAStorageOutageIsRetriedAndFinishesWhenStorageIsBack() throws Exception {
        dist.stopGcs();
        String id;
        try {
            id = JSON.readTree(dist.postJson("/v1/jobs", "{\"prompt\":\"survives a storage outage\"}").body())
                    .get("id").asText();
            try (Jedis redis = new Jedis("127.0.0.1", dist.redisPort)) {
                Processes.await("job " + id + " to wait for a retry", Duration.ofSeconds(150),
                        () -> redis.hget("rq:job:" + id, "last_error") != null);
                assertEquals("Uploading the video to storage failed", redis.hget("rq:job:" + id, "last_error"));
            }
            assertTrue(!"failed".equals(dist.job(id).get("status").asText()), "a retryable error does not fail the job");
        } finally {
            dist.startGcs();
        }
        Processes.await("job " + id + " to finish once storage is back", Duration.ofSeconds(120), () -> {
            JsonNode job = dist.job(id);
            if ("failed".equals(job.get("status").asText())) {
                throw new AssertionError("job failed: " + job);
            }
            return "finished".equals(job.get("status").asText());
        });
        assertTrue(dist.job(id).get("attempts").asInt() >= 2, "finished on a later attempt");
    }
}
