package io.ttv.itests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A job over its time limit is aborted and failed with a timeout error, not retried, and frees its worker. */
class JobTimeoutIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Distribution dist;

    @BeforeAll
    static void start() throws Exception {
        dist = new Distribution(Map.of("TTV_JOB_TIMEOUT_SECONDS", "2"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (dist != null) {
            dist.close();
        }
    }

    @Test
    void jobOverItsTimeLimitFailsWithATimeoutError() throws Exception {
        String id = JSON.readTree(dist.postJson("/v1/jobs", "{\"prompt\":\"far too long\",\"duration_seconds\":60}")
                .body()).get("id").asText();
        Processes.await("job " + id + " to fail on its time limit", Duration.ofSeconds(60),
                () -> "failed".equals(dist.job(id).get("status").asText()));
        JsonNode job = dist.job(id);
        assertTrue(job.get("error").asText().contains("time limit of 2 s"), job.toString());
        assertFalse(job.get("retryable").asBoolean());
        assertEquals(1, job.get("attempts").asInt(), "a timeout is not retried");
        assertTrue(job.get("gcs_uri").isNull());
        Processes.await("the worker to be free", Duration.ofSeconds(30),
                () -> dist.get("/metrics").body().contains("worker_active_jobs 0.0"));
    }
}
