package io.ttv.itests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis going away and coming back: readiness follows it within seconds, the API refuses new work with 503 rather
 * than hanging or answering 500, and every job accepted before the outage still ends {@code finished}. A node
 * started while Redis is down comes up, waits, and works once Redis is back.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisRestartIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Distribution dist;

    @BeforeAll
    static void start() throws Exception {
        dist = new Distribution(Map.of("TTV_WORKER_CONCURRENCY", "2", "TTV_REDIS_TIMEOUT_MS", "1000"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (dist != null) {
            dist.close();
        }
    }

    @Test
    @Order(1)
    void acceptedJobsSurviveARedisRestartAndReadinessFollowsRedis() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            HttpResponse<String> r = dist.postJson("/v1/jobs", "{\"prompt\":\"outage " + i + "\",\"duration_seconds\":1}");
            assertEquals(202, r.statusCode(), r.body());
            ids.add(JSON.readTree(r.body()).get("id").asText());
        }
        dist.stopRedis();
        long down = System.nanoTime();
        Processes.await("/readyz 503 after Redis stopped", Duration.ofSeconds(5),
                () -> dist.get("/readyz").statusCode() == 503);
        assertTrue(System.nanoTime() - down < Duration.ofSeconds(5).toNanos());
        JsonNode ready = JSON.readTree(dist.get("/readyz").body());
        assertEquals("unhealthy", ready.at("/components/redis").asText());
        assertEquals(200, dist.get("/healthz").statusCode(), "liveness does not depend on Redis");

        long asked = System.nanoTime();
        HttpResponse<String> refused = dist.postJson("/v1/jobs", "{\"prompt\":\"during the outage\"}");
        assertTrue(System.nanoTime() - asked < Duration.ofSeconds(10).toNanos(), "bounded, never a hang");
        assertEquals(503, refused.statusCode(), refused.body());
        assertEquals("RedisUnavailable", JSON.readTree(refused.body()).get("error").asText());
        assertTrue(refused.headers().firstValue("Retry-After").isPresent());

        dist.startRedis();
        long up = System.nanoTime();
        Processes.await("/readyz 200 after Redis is back", Duration.ofSeconds(5),
                () -> dist.get("/readyz").statusCode() == 200);
        assertTrue(System.nanoTime() - up < Duration.ofSeconds(5).toNanos());

        for (String id : ids) {
            Processes.await("job " + id + " finished", Duration.ofSeconds(180),
                    () -> "finished".equals(dist.job(id).get("status").asText()));
        }
        HttpResponse<String> after = dist.postJson("/v1/jobs", "{\"prompt\":\"after the outage\",\"duration_seconds\":1}");
        assertEquals(202, after.statusCode());
        String id = JSON.readTree(after.body()).get("id").asText();
        Processes.await("the new job finished", Duration.ofSeconds(120),
                () -> "finished".equals(dist.job(id).get("status").asText()));
    }

    @Test
    @Order(2)
    void aNodeStartedWhileRedisIsDownComesUpAndWorksOnceRedisIsBack() throws Exception {
        dist.stopKaraf();
        dist.stopRedis();
        dist.launchKaraf();
        Processes.await("/healthz 200 without Redis", Duration.ofSeconds(120), () -> {
            try {
                return dist.get("/healthz").statusCode() == 200;
            } catch (IllegalStateException notListeningYet) {
                return false;
            }
        });
        assertEquals(503, dist.get("/readyz").statusCode(), "not ready without Redis");

        dist.startRedis();
        Processes.await("/readyz 200 once Redis is up", Duration.ofSeconds(30),
                () -> dist.get("/readyz").statusCode() == 200);
        HttpResponse<String> r = dist.postJson("/v1/jobs", "{\"prompt\":\"late redis\",\"duration_seconds\":1}");
        assertEquals(202, r.statusCode(), r.body());
        String id = JSON.readTree(r.body()).get("id").asText();
        Processes.await("the job finished", Duration.ofSeconds(120),
                () -> "finished".equals(dist.job(id).get("status").asText()));
    }
}
