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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

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
        // The rate limiter on at a quota never reached, as in production: its Redis call is part of every create.
        dist = new Distribution(Map.of("TTV_WORKER_CONCURRENCY", "2", "TTV_REDIS_TIMEOUT_MS", "1000",
                "TTV_RATE_LIMIT", "6000000", "TTV_RATE_LIMIT_BURST", "1000000"));
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

    /**
     * Intake's durability under load: Redis stops in the middle of a stream of creates. Every answer is a 202 or a 503
     * RedisUnavailable, and every 202 names a job that Redis holds once it is back: a 202 is only sent for a stored
     * job.
     */
    @Test
    @Order(2)
    void everyAcceptedJobIsStoredWhenRedisStopsUnderLoad() throws Exception {
        Set<String> accepted = ConcurrentHashMap.newKeySet();
        Map<Integer, AtomicInteger> answers = new ConcurrentHashMap<>();
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService clients = Executors.newFixedThreadPool(6);
        List<Future<?>> loops = new ArrayList<>();
        try {
            for (int c = 0; c < 6; c++) {
                loops.add(clients.submit(() -> {
                    while (running.get()) {
                        HttpResponse<String> r = dist.postJson("/v1/jobs", "{\"prompt\":\"durable\",\"duration_seconds\":1}");
                        answers.computeIfAbsent(r.statusCode(), k -> new AtomicInteger()).incrementAndGet();
                        if (r.statusCode() == 202) {
                            accepted.add(JSON.readTree(r.body()).get("id").asText());
                        } else {
                            assertEquals(503, r.statusCode(), r.body());
                            assertEquals("RedisUnavailable", JSON.readTree(r.body()).get("error").asText());
                        }
                    }
                    return null;
                }));
            }
            Processes.await("creates accepted under load", Duration.ofSeconds(30), () -> accepted.size() >= 30);
            dist.stopRedis();
            Processes.await("creates refused while Redis is down", Duration.ofSeconds(30),
                    () -> answers.getOrDefault(503, new AtomicInteger()).get() >= 10);
            dist.startRedis();
            int before = accepted.size();
            Processes.await("creates accepted again", Duration.ofSeconds(30), () -> accepted.size() >= before + 30);
        } finally {
            running.set(false);
            clients.shutdown();
        }
        for (Future<?> loop : loops) {
            loop.get(60, TimeUnit.SECONDS); // an unexpected answer fails the test here
        }
        assertEquals(Set.of(202, 503), answers.keySet(), "only 202 and 503: " + answers);
        for (String id : accepted) {
            HttpResponse<String> job = dist.get("/v1/jobs/" + id);
            assertEquals(200, job.statusCode(), "job " + id + " was answered 202 but is not stored: " + job.body());
        }
    }

    @Test
    @Order(3)
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
