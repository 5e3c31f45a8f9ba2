package io.ttv.pipeline.callbacks;

import io.ttv.pipeline.core.tracing.Tracing;
import io.ttv.pipeline.core.config.RetrySchedule;
import io.ttv.pipeline.core.domain.CallbackTargets;
import io.ttv.pipeline.core.redis.CallbackDeadLetters;
import io.ttv.pipeline.core.redis.CallbackQueue;
import io.ttv.pipeline.core.redis.JobStore;
import io.ttv.pipeline.core.redis.RedisKeys;
import io.ttv.pipeline.testing.TestRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two nodes' callbacks flows on one Redis: a retry scheduled by a node that is gone, and a delivery claimed by a node
 * that died mid-attempt, are delivered by the other node with the message the first attempt fixed.
 */
class CallbackFailoverTest {
    @RegisterExtension
    static final TestRedis redis = TestRedis.perClass();

    CallbackReceiver receiver;
    JobStore jobs;
    final List<CallbackNode> nodes = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        receiver = new CallbackReceiver();
        jobs = new JobStore(redis.clients().template(), redis.clients().keys());
    }

    /** A finished job whose callback_url is the receiver's, subscribed to {@code finished}. */
    String job() {
        String id = UUID.randomUUID().toString();
        jobs.create(id, Instant.now(), Map.of("id", id, "status", "finished", "progress", "100",
                "created_at", "2025-01-31T23:59:59Z", "generator", "local", "prompt", "a cat",
                "callback_url", receiver.url("/hook"), "callback_events", "finished"));
        return id;
    }

    boolean logged(String id, String fragment) {
        return jobs.logs(id, 100).stream().anyMatch(l -> l.contains(fragment));
    }

    @AfterEach
    void tearDown() {
        nodes.forEach(CallbackNode::stop);
        receiver.close();
    }

    CallbackNode node(String schedule, LongSupplier clock) throws Exception {
        CallbackQueue queue = new CallbackQueue(redis.clients().template(), redis.clients().keys(), clock);
        CallbackNode n = new CallbackNode(new CallbackDelivery(jobs, queue,
                CallbackDeliveryTest.MAPPER, CallbackDeliveryTest.SECRET, true, Duration.ofSeconds(2),
                RetrySchedule.parse(schedule), null, CallbackTargets.SYSTEM, Tracing.off()), queue);
        nodes.add(n);
        return n;
    }

    @Test
    void aRetryScheduledByAStoppedNodeIsDeliveredByAnotherWithTheSameMessage() throws Exception {
        CallbackNode a = node("300ms,300ms", System::currentTimeMillis);
        CallbackNode b = node("300ms,300ms", System::currentTimeMillis);
        receiver.script.add(500);
        String id = job();

        assertTrue(a.deliver(id, "finished"), "a made the first attempt");
        assertEquals(1, receiver.received.size());
        a.stop();

        CallbackReceiver.await("the retry by b", () -> receiver.accepted().size() == 1);
        CallbackReceiver.Received first = receiver.received.get(0);
        CallbackReceiver.Received retry = receiver.accepted().get(0);
        assertEquals(500, first.answered());
        assertEquals("msg_" + id + "_finished", retry.header("webhook-id"));
        assertEquals(first.header("webhook-id"), retry.header("webhook-id"));
        assertEquals(new String(first.body()), new String(retry.body()), "the message the first attempt fixed");
        // Logged once the delivery has left the queue.
        CallbackReceiver.await("b's attempt in the job's log", () -> logged(id, "callback finished attempt 2: 200"));
        assertEquals(0, b.queue.pending());
        assertTrue(new CallbackDeadLetters(redis.clients().template(), redis.clients().keys()).list().isEmpty());
    }

    @Test
    void aDeliveryClaimedByANodeThatDiedMidAttemptIsTakenByAnotherOnceItsLeaseHasEnded() throws Exception {
        String id = job();
        // The dead node: it queued the event and claimed it for its first attempt, then nothing more.
        CallbackQueue dead = new CallbackQueue(redis.clients().template(), redis.clients().keys());
        String deliveryId = RedisKeys.callbackDeliveryId(id, "finished");
        assertNotNull(dead.claimHandedOff(deliveryId, dead.enqueue(id, "finished"), Duration.ofSeconds(9)));
        // b's clock runs a minute ahead: the dead node's lease has ended for it.
        CallbackNode b = node("300ms", () -> System.currentTimeMillis() + 60_000);

        CallbackReceiver.await("b's attempt", () -> receiver.accepted().size() == 1);
        assertEquals("msg_" + id + "_finished", receiver.accepted().get(0).header("webhook-id"));
        // The lost attempt counts: b's is the second.
        CallbackReceiver.await("b's attempt in the job's log", () -> logged(id, "callback finished attempt 2: 200"));
        assertEquals(0, b.queue.pending());
        assertFalse(redis.clients().template().hasKey(RedisKeys.STANDARD.callbackDelivery(deliveryId)));
    }
}
