package io.ttv.itests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A callback retry survives its node. Node A (a worker) makes the first attempt of a job's callback; the receiver
 * answers 503, and A is killed with SIGKILL right after, whether or not it had recorded the failure. Node B (API
 * only, sharing Redis, running when A dies) delivers the retry from Redis: the same {@code webhook-id}, the same body,
 * a valid signature. Either A's retry schedule or, had A died before recording it, the end of A's lease on the
 * delivery makes it due for B.
 */
class CallbackFailoverIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Short retries and timeout (so a short lease: 2 x timeout + 5 s) for a quick test. */
    private static final Map<String, String> CALLBACKS = Map.of("TTV_CALLBACK_RETRY_SCHEDULE", "2s,2s,2s",
            "TTV_CALLBACK_TIMEOUT_MS", "2000");
    private static final List<Received> RECEIVED = new CopyOnWriteArrayList<>();
    /** Counted down once the receiver has answered the first attempt. */
    private static final CountDownLatch FIRST_ANSWERED = new CountDownLatch(1);
    private static HttpServer receiver;
    private static Distribution nodeA;
    private static Distribution nodeB;

    record Received(String webhookId, String timestamp, String signature, String body, int answered) {
    }

    @BeforeAll
    static void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int status;
            synchronized (RECEIVED) {
                status = RECEIVED.isEmpty() ? 503 : 200;
                RECEIVED.add(new Received(exchange.getRequestHeaders().getFirst("webhook-id"),
                        exchange.getRequestHeaders().getFirst("webhook-timestamp"),
                        exchange.getRequestHeaders().getFirst("webhook-signature"), body, status));
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
            if (status == 503) {
                FIRST_ANSWERED.countDown();
            }
        });
        receiver.start();
        Map<String, String> a = new HashMap<>(CALLBACKS);
        a.put("TTV_WORKER_CONCURRENCY", "1");
        nodeA = new Distribution(a);
        Map<String, String> b = new HashMap<>(CALLBACKS);
        b.put("TTV_ROLE", "api"); // runs no jobs: only A makes the job's first attempt
        nodeB = new Distribution(nodeA, b);
    }

    @AfterAll
    static void stop() throws Exception {
        if (nodeB != null) {
            nodeB.close();
        }
        if (nodeA != null) {
            nodeA.close(); // its Karaf is dead already; this stops Redis and the GCS emulator
        }
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    @Test
    void aRetryOfANodeKilledAfterTheFirstFailedAttemptIsDeliveredByAnotherNodeWithTheSameWebhookId()
            throws Exception {
        String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        HttpResponse<String> created = nodeB.postJson("/v1/jobs", """
                {"prompt": "a callback that outlives its node", "duration_seconds": 1,
                 "callback_url": "%s", "callback_events": ["finished"]}
                """.formatted(hook));
        assertEquals(202, created.statusCode(), created.body());
        String id = JSON.readTree(created.body()).get("id").asText();

        assertTrue(FIRST_ANSWERED.await(180, TimeUnit.SECONDS), "the first attempt reached the receiver");
        nodeA.crashKaraf();
        try (Jedis redis = new Jedis("127.0.0.1", nodeA.redisPort)) {
            // Which way B will find the delivery due: A's retry schedule, or the end of A's lease.
            String error = redis.hget("ttv:callback:pending:" + id + "_finished", "last_error");
            System.out.printf("[callback-failover] node A %s its failed attempt before it was killed%n",
                    error == null ? "had not recorded" : "had recorded (" + error + ")");
        }

        Processes.await("the retry from node B", Duration.ofSeconds(60), () -> RECEIVED.size() >= 2);
        try (Jedis redis = new Jedis("127.0.0.1", nodeA.redisPort)) {
            Processes.await("the delivery to leave the queue", Duration.ofSeconds(30),
                    () -> redis.zcard("ttv:callbacks:due") == 0);
            assertEquals(0, redis.zcard("ttv:callbacks:dead"), "not dead-lettered");
            assertEquals("finished", redis.hget("rq:job:" + id, "status"));
        }
        assertEquals(2, RECEIVED.size(), "one failed attempt, one delivered retry: " + RECEIVED);
        Received first = RECEIVED.get(0);
        Received retry = RECEIVED.get(1);
        assertEquals(503, first.answered());
        assertEquals(200, retry.answered());
        assertEquals("msg_" + id + "_finished", first.webhookId());
        assertEquals(first.webhookId(), retry.webhookId(), "one webhook-id for every attempt");
        assertEquals(first.body(), retry.body(), "the message fixed by the first attempt");
        for (Received r : RECEIVED) {
            assertEquals("v1," + hmac(r.webhookId() + "." + r.timestamp() + "." + r.body()), r.signature(),
                    "webhook-signature of " + r);
        }
        JsonNode event = JSON.readTree(retry.body());
        assertEquals("job.finished", event.get("type").asText());
        assertEquals(id, event.get("data").get("id").asText());
        assertEquals("finished", event.get("data").get("status").asText());

        Processes.await("node B's delivery line", Duration.ofSeconds(30),
                () -> nodeB.karafLog().contains("Callback msg_" + id + "_finished delivered"));
        JsonNode lines = JSON.readTree(nodeB.get("/v1/jobs/" + id + "/logs?tail=100").body()).get("lines");
        boolean delivered = false;
        for (JsonNode line : lines) {
            delivered |= line.asText().matches(".*callback finished attempt \\d: 200 in \\d+ ms");
        }
        assertTrue(delivered, "the retry is in the job's log: " + lines);
    }

    private static String hmac(String content) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Distribution.CALLBACK_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return Base64.getEncoder().encodeToString(mac.doFinal(content.getBytes(StandardCharsets.UTF_8)));
    }
}
