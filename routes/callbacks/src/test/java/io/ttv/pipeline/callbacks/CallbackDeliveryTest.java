package io.ttv.pipeline.callbacks;

import io.ttv.pipeline.core.tracing.Tracing;
import io.ttv.pipeline.core.callback.CallbackOutbox;
import io.ttv.pipeline.core.config.RetrySchedule;
import io.ttv.pipeline.core.redis.CallbackDeadLetters;
import io.ttv.pipeline.core.redis.CallbackQueue;

import io.ttv.pipeline.testing.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ttv.pipeline.core.app.RedisClients;
import io.ttv.pipeline.core.domain.CallbackTargets;
import io.ttv.pipeline.core.metrics.PipelineMetrics;
import io.ttv.pipeline.core.ops.NodeOperations;
import io.ttv.pipeline.core.redis.AdminStore;
import io.ttv.pipeline.core.redis.JobStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Callback delivery against a real Redis and a real HTTP receiver on loopback: retries, 410, dead letters. Each test
 * runs the callbacks flow of one node ({@link CallbackNode}); its retries wait in Redis.
 */
class CallbackDeliveryTest {
    static final String SECRET = "whsec_" + java.util.Base64.getEncoder().encodeToString(
            "a test secret of 32 bytes.......".getBytes());
    @RegisterExtension
    static final TestRedis redis = TestRedis.perClass();
    private static RedisClients clients;
    static JobStore jobs;
    static final ObjectMapper MAPPER = new ObjectMapper();

    CallbackReceiver receiver;
    CallbackNode delivery;
    CallbackDeadLetters deadLetters;
    CallbackQueue queue;

    @BeforeAll
    static void stores() {
        clients = redis.clients();
        jobs = new JobStore(clients.template(), clients.keys());
    }

    @BeforeEach
    void setUp() throws IOException {
        receiver = new CallbackReceiver();
        deadLetters = new CallbackDeadLetters(clients.template(), clients.keys());
        queue = new CallbackQueue(clients.template(), clients.keys());
    }

    /** Every delivery any test received must verify with the reference Standard Webhooks library. */
    @AfterEach
    void tearDown() throws Exception {
        for (CallbackReceiver.Received r : receiver.received) {
            new Webhook(SECRET).verify(new String(r.body(), StandardCharsets.UTF_8), r.headers());
        }
        if (delivery != null) {
            delivery.stop();
        }
        receiver.close();
    }

    CallbackNode delivery(String schedule, Duration timeout, PipelineMetrics metrics) throws Exception {
        return node(new CallbackDelivery(jobs, queue, MAPPER, SECRET, true, timeout, RetrySchedule.parse(schedule),
                metrics, CallbackTargets.SYSTEM, Tracing.off()));
    }

    CallbackNode node(CallbackDelivery d) throws Exception {
        delivery = new CallbackNode(d, queue);
        return delivery;
    }

    static String job(String callbackUrl, String events) {
        String id = UUID.randomUUID().toString();
        Map<String, String> f = new LinkedHashMap<>();
        f.put("id", id);
        f.put("status", "finished");
        f.put("progress", "100");
        f.put("attempts", "1");
        f.put("created_at", "2025-01-31T23:59:59Z");
        f.put("generator", "local");
        f.put("prompt", "a cat");
        f.put("duration_seconds", "2.0");
        f.put("aspect_ratio", "16:9");
        f.put("callback_url", callbackUrl);
        f.put("callback_events", events);
        jobs.create(id, Instant.now(), f);
        return id;
    }

    static boolean logged(String id, String fragment) {
        return jobs.logs(id, 100).stream().anyMatch(l -> l.contains(fragment));
    }

    @Test
    void threeFailuresThenSuccessGiveOneAcceptedDeliveryWithOneWebhookId() throws Exception {
        receiver.script.addAll(List.of(500, 500, 500));
        String id = job(receiver.url("/hook"), "finished");
        assertTrue(delivery("10ms,10ms,10ms,10ms,10ms", Duration.ofSeconds(5), null).deliver(id, "finished"));
        CallbackReceiver.await("the accepted delivery", () -> logged(id, "attempt 4: 200"));
        assertEquals(4, receiver.received.size());
        assertEquals(1, receiver.accepted().size());
        assertEquals(List.of(500, 500, 500, 200), receiver.received.stream().map(r -> r.answered()).toList());
        assertEquals(1, receiver.ids().stream().distinct().count(), receiver.ids().toString());
        assertEquals("msg_" + id + "_finished", receiver.ids().get(0));
        // A plain-http target is spoken to in HTTP/1.1 from the start: no h2c upgrade offered.
        assertTrue(receiver.received.stream().allMatch(r -> r.header("upgrade") == null), "no Upgrade header");
        JsonNode body = MAPPER.readTree(receiver.accepted().get(0).body());
        assertEquals("job.finished", body.get("type").asText());
        assertEquals(id, body.get("data").get("id").asText());
        assertTrue(deadLetters.list().isEmpty());
        // The delivery log: one line per attempt with its status and latency.
        List<String> log = jobs.logs(id, 100);
        assertTrue(log.stream().anyMatch(l -> l.matches(".*callback finished attempt 1: HTTP 500 in \\d+ ms, next attempt in \\d+ ms")), log.toString());
        assertTrue(log.stream().anyMatch(l -> l.matches(".*callback finished attempt 4: 200 in \\d+ ms")), log.toString());
    }

    @Test
    void goneStopsAtOnce() throws Exception {
        receiver.script.add(410);
        String id = job(receiver.url("/hook"), "finished");
        delivery("10ms,10ms,10ms", Duration.ofSeconds(5), null).deliver(id, "finished");
        CallbackReceiver.await("the 410 to be logged", () -> logged(id, "attempt 1: 410"));
        assertEquals(1, receiver.received.size());
        assertTrue(deadLetters.list().isEmpty());
        assertFalse(logged(id, "attempt 2"));
    }

    @Test
    void unsubscribedEventsAndJobsWithoutCallbackAreNotSent() throws Exception {
        String id = job(receiver.url("/hook"), "failed,canceled");
        assertFalse(delivery("10ms", Duration.ofSeconds(5), null).deliver(id, "finished"));
        assertFalse(delivery.deliver("no-such-job", "finished"));
        assertTrue(delivery.deliver(id, "failed"));
        CallbackReceiver.await("the failed event", () -> receiver.received.size() == 1);
        assertEquals("job.failed", MAPPER.readTree(receiver.received.get(0).body()).get("type").asText());
    }

    @Test
    void redirectsAreNotFollowed() throws Exception {
        receiver.script.addAll(List.of(302, 307));
        String id = job(receiver.url("/hook"), "finished");
        delivery("10ms", Duration.ofSeconds(5), null).deliver(id, "finished");
        CallbackReceiver.await("the dead letter", () -> deadLetters.get(id + "_finished") != null);
        assertEquals(List.of("/hook", "/hook"), receiver.received.stream().map(r -> r.path()).toList());
        assertEquals("HTTP 307", deadLetters.get(id + "_finished").get("error"));
    }

    @Test
    void eachAttemptIsBoundedByTheTimeout() throws Exception {
        String id = job(receiver.url("/slow"), "finished");
        long start = System.nanoTime();
        delivery("10ms", Duration.ofMillis(300), null).deliver(id, "finished");
        CallbackReceiver.await("the dead letter", () -> deadLetters.get(id + "_finished") != null);
        long ms = (System.nanoTime() - start) / 1_000_000;
        Map<String, String> dead = deadLetters.get(id + "_finished");
        assertTrue(dead.get("error").contains("Timeout"), dead.toString());
        assertEquals("2", dead.get("attempts"));
        assertTrue(ms >= 600 && ms < 10_000, ms + " ms");
    }

    @Test
    void exhaustionIsDeadLetteredCountedAndReplayDeliversIt() throws Exception {
        PipelineMetrics metrics = new PipelineMetrics(jobs);
        delivery("10ms,10ms", Duration.ofSeconds(5), metrics);
        try {
            CallbackOutbox outbox = delivery.outbox;
            receiver.script.addAll(List.of(500, 502, 503));
            String id = job(receiver.url("/hook"), "finished");
            outbox.publish(id, "finished");
            CallbackReceiver.await("the dead letter", () -> !deadLetters.list().isEmpty());
            Map<String, String> dead = deadLetters.list().get(0);
            assertEquals(id + "_finished", dead.get("id"));
            assertEquals("3", dead.get("attempts"));
            assertEquals("HTTP 503", dead.get("error"));
            assertEquals(receiver.url("/hook"), dead.get("target"));
            assertEquals(3, receiver.received.size());
            // Counted just after the dead letter is written, on the delivery's thread.
            CallbackReceiver.await("the dead-letter count",
                    () -> metrics.registry().get("callbacks_dead_lettered").counter().count() == 1.0);
            assertTrue(metrics.scrape().contains("callbacks_dead_lettered_total 1.0"));

            NodeOperations ops = new NodeOperations("worker", "w1", jobs,
                    new AdminStore(clients.template(), clients.keys()),
                    deadLetters, outbox, delivery.camel, routeId -> "test");
            ops.replayCallback(id + "_finished");
            CallbackReceiver.await("the replayed delivery", () -> receiver.accepted().size() == 1);
            assertEquals("msg_" + id + "_finished", receiver.accepted().get(0).header("webhook-id"));
            assertTrue(deadLetters.list().isEmpty());
            assertEquals(4, receiver.received.size());
        } finally {
            delivery.stop();
            metrics.close();
        }
    }

    @Test
    void signaturesVerifyWithTheReferenceLibraryAndTamperingOrOldTimestampsFail() throws Exception {
        String id = job(receiver.url("/hook"), "finished");
        delivery("10ms", Duration.ofSeconds(5), null).deliver(id, "finished");
        CallbackReceiver.await("the delivery", () -> receiver.received.size() == 1);
        CallbackReceiver.Received r = receiver.received.get(0);
        String body = new String(r.body(), StandardCharsets.UTF_8);
        Webhook reference = new Webhook(SECRET);
        reference.verify(body, r.headers());
        assertTrue(r.header("webhook-signature").startsWith("v1,"));
        assertTrue(Math.abs(Long.parseLong(r.header("webhook-timestamp")) - System.currentTimeMillis() / 1000) < 60);

        assertThrows(WebhookVerificationException.class,
                () -> reference.verify(body.replace("a cat", "a dog"), r.headers()));
        Map<String, List<String>> otherId = new java.util.HashMap<>(r.headers());
        otherId.put("webhook-id", List.of("msg_other"));
        assertThrows(WebhookVerificationException.class, () -> reference.verify(body, otherId));
        // A correctly signed message whose timestamp is ten minutes old is refused (tolerance is five minutes).
        long old = System.currentTimeMillis() / 1000 - 600;
        Map<String, List<String>> stale = new java.util.HashMap<>(r.headers());
        stale.put("webhook-timestamp", List.of(Long.toString(old)));
        stale.put("webhook-signature", List.of(new WebhookSigner(SECRET).sign(r.header("webhook-id"), old, r.body())));
        assertThrows(WebhookVerificationException.class, () -> reference.verify(body, stale));
        // Same message re-signed with the current time verifies: the failure above is the timestamp's.
        long now = System.currentTimeMillis() / 1000;
        stale.put("webhook-timestamp", List.of(Long.toString(now)));
        stale.put("webhook-signature", List.of(new WebhookSigner(SECRET).sign(r.header("webhook-id"), now, r.body())));
        reference.verify(body, stale);
        // A different secret fails.
        assertThrows(WebhookVerificationException.class, () -> new Webhook("whsec_"
                + java.util.Base64.getEncoder().encodeToString("another secret of 32 bytes......".getBytes())).verify(body, r.headers()));
    }

    @Test
    void aPlainSecretIsUsedAsItsUtf8Bytes() throws Exception {
        node(new CallbackDelivery(jobs, queue, MAPPER, "plain secret", true, Duration.ofSeconds(5),
                RetrySchedule.parse("10ms"), null, CallbackTargets.SYSTEM, Tracing.off()));
        String id = job(receiver.url("/hook"), "finished");
        delivery.deliver(id, "finished");
        CallbackReceiver.await("the delivery", () -> receiver.received.size() == 1);
        CallbackReceiver.Received r = receiver.received.remove(0); // not signed with SECRET: kept out of tearDown
        new Webhook("plain secret".getBytes(StandardCharsets.UTF_8))
                .verify(new String(r.body(), StandardCharsets.UTF_8), r.headers());
    }

    @Test
    void aTargetWhoseNameNowResolvesToLoopbackIsRefusedAtDelivery() throws Exception {
        int port = Integer.parseInt(receiver.url("").replaceAll(".*:", ""));
        CallbackTargets.Resolver rebound = host -> new java.net.InetAddress[]{
                java.net.InetAddress.getByAddress(host, new byte[]{127, 0, 0, 1})};
        node(new CallbackDelivery(jobs, queue, MAPPER, SECRET, false, Duration.ofSeconds(5),
                RetrySchedule.parse("10ms"), null, rebound, Tracing.off()));
        String id = job("http://hooks.rebind.test:" + port + "/hook", "finished");
        assertTrue(delivery.deliver(id, "finished"));
        String loopback = job(receiver.url("/hook"), "finished");
        assertTrue(delivery.deliver(loopback, "finished"));
        // The check runs before the request is sent, on the caller's thread: nothing can have reached the receiver.
        assertTrue(logged(id, "callback finished refused at attempt 1: target hooks.rebind.test resolves to an internal address (127.0.0.1)"),
                jobs.logs(id, 10).toString());
        assertTrue(logged(loopback, "callback finished refused at attempt 1"), jobs.logs(loopback, 10).toString());
        assertEquals(0, receiver.received.size());
        assertTrue(deadLetters.list().isEmpty());
    }
}
