package io.ttv.pipeline.core.redis;

import io.ttv.pipeline.core.config.RetrySchedule;
import io.ttv.pipeline.core.redis.CallbackQueue.Delivery;
import io.ttv.pipeline.testing.TestRedis;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.data.redis.core.StringRedisTemplate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The durable callback queue against a real Redis, two nodes sharing it ({@code a} and {@code b}, each its own
 * {@link CallbackQueue}) on one clock the test moves: hand-off, claims and their leases, retries on the schedule,
 * the dead letter after the last attempt, replacement.
 */
class CallbackQueueTest {
    @RegisterExtension
    static final TestRedis redis = TestRedis.perClass();
    static final Duration LEASE = Duration.ofSeconds(25);
    static final String URL = "https://hooks.example/hook";

    final AtomicLong now = new AtomicLong(1_700_000_000_000L);
    StringRedisTemplate template;
    RedisKeys keys;
    CallbackQueue a;
    CallbackQueue b;

    @BeforeEach
    void queues() {
        template = redis.clients().template();
        keys = redis.clients().keys();
        a = new CallbackQueue(template, keys, now::get);
        b = new CallbackQueue(template, keys, now::get);
    }

    /** A job hash with a callback subscription (only the fields the queue reads). */
    String job(String id, String events) {
        template.opsForHash().putAll(keys.job(id), Map.of("id", id, "callback_url", URL,
                "callback_events", events));
        return id;
    }

    void advance(Duration d) {
        now.addAndGet(d.toMillis());
    }

    @Test
    void onlySubscribedEventsAreQueuedAndAReplayIsQueuedWhatever() {
        String job = job("job-1", "started,finished");
        assertNull(a.enqueue(job, "failed"), "not subscribed");
        assertNull(a.enqueue("no-such-job", "finished"), "no job");
        template.opsForHash().putAll(keys.job("no-callback"), Map.of("id", "no-callback"));
        assertNull(a.enqueue("no-callback", "finished"), "no callback_url");
        assertEquals(0, a.pending(), "nothing written for them");

        assertNotNull(a.enqueue(job, "finished"));
        assertEquals(1, a.pending());
        assertEquals(now.get() + CallbackQueue.HANDOFF_GRACE.toMillis(), a.dueAt(job + "_finished"));
        assertNotNull(a.enqueueReplay("purged-job", "finished"), "a replay does not ask the job");
        assertEquals(2, a.pending());
    }

    @Test
    void theQueuingNodeClaimsItsHandOffAtOnceOthersOnlyOnceTheGraceHasEnded() {
        String job = job("job-1", "finished");
        String id = job + "_finished";
        String token = a.enqueue(job, "finished");
        assertTrue(b.claimDue(10, LEASE).isEmpty(), "not due for the other nodes during the hand-off grace");

        Delivery d = a.claimHandedOff(id, token, LEASE);
        assertNotNull(d);
        assertEquals(1, d.attempt());
        assertEquals(job, d.jobId());
        assertEquals("finished", d.event());
        assertFalse(d.fixed());
        assertEquals(now.get() + LEASE.toMillis(), a.dueAt(id), "leased");
        assertNull(a.claimHandedOff(id, token, LEASE), "a hand-off claims the first attempt only");

        // A hand-off that comes after another node took the delivery over claims nothing.
        String job2 = job("job-2", "finished");
        String token2 = a.enqueue(job2, "finished");
        advance(CallbackQueue.HANDOFF_GRACE);
        assertEquals(List.of(job2 + "_finished"), b.claimDue(10, LEASE).stream().map(Delivery::id).toList());
        assertNull(a.claimHandedOff(job2 + "_finished", token2, LEASE));
    }

    @Test
    void aLeasedDeliveryIsNotClaimedByASecondNodeUntilTheLeaseHasEnded() {
        String job = job("job-1", "finished");
        String id = job + "_finished";
        a.enqueue(job, "finished");
        advance(CallbackQueue.HANDOFF_GRACE);

        List<Delivery> claimed = a.claimDue(10, LEASE);
        assertEquals(1, claimed.size());
        Delivery first = a.fix(claimed.get(0), "msg_1", URL, "{\"n\":1}");
        assertEquals(1, first.attempt());
        assertTrue(b.claimDue(10, LEASE).isEmpty(), "leased to a");
        advance(LEASE.minusMillis(1));
        assertTrue(b.claimDue(10, LEASE).isEmpty(), "still leased");

        // a died mid-attempt: once its lease has ended, b takes the delivery, with the message a fixed.
        advance(Duration.ofMillis(1));
        List<Delivery> taken = b.claimDue(10, LEASE);
        assertEquals(1, taken.size());
        Delivery second = taken.get(0);
        assertEquals(2, second.attempt(), "the lost attempt counts");
        assertTrue(second.fixed());
        assertEquals("msg_1", second.webhookId());
        assertEquals("{\"n\":1}", second.body());
        assertEquals(URL, second.target());
        assertEquals(first.token(), second.token(), "the same delivery");

        // Late outcomes of a's attempt change nothing: b's claim decides.
        assertFalse(a.retry(first, Duration.ofSeconds(1), "HTTP 500"));
        assertFalse(a.deadLetter(first, URL, "HTTP 500", 1));
        assertEquals(now.get() + LEASE.toMillis(), a.dueAt(id));
        assertTrue(b.acknowledge(second));
        assertEquals(0, a.pending());
    }

    @Test
    void aFailedAttemptIsDueAgainAfterTheScheduleDelayWithItsMessageAndError() {
        String job = job("job-1", "finished");
        String id = job + "_finished";
        Delivery d = a.claimHandedOff(id, a.enqueue(job, "finished"), LEASE);
        d = a.fix(d, "msg_job-1_finished", URL, "{\"type\":\"job.finished\"}");
        assertEquals("msg_job-1_finished", a.fix(d, "msg_other", URL, "{}").webhookId(), "fixed once");

        assertTrue(a.retry(d, Duration.ofSeconds(5), "HTTP 503"));
        assertEquals(now.get() + 5_000, a.dueAt(id));
        advance(Duration.ofMillis(4_999));
        assertTrue(b.claimDue(10, LEASE).isEmpty(), "not due yet");
        advance(Duration.ofMillis(1));
        Delivery retry = b.claimDue(10, LEASE).get(0);
        assertEquals(2, retry.attempt());
        assertEquals("HTTP 503", retry.lastError());
        assertEquals("msg_job-1_finished", retry.webhookId());
        assertEquals("{\"type\":\"job.finished\"}", retry.body());
    }

    @Test
    void afterTheLastAttemptOfTheScheduleTheDeliveryBecomesADeadLetter() {
        RetrySchedule schedule = RetrySchedule.parse("1s,2s");
        String job = job("job-1", "finished");
        String id = job + "_finished";
        Delivery d = a.claimHandedOff(id, a.enqueue(job, "finished"), LEASE);
        d = a.fix(d, "msg_job-1_finished", URL, "{}");
        while (d.attempt() < schedule.maxAttempts()) {
            Duration delay = schedule.delayAfter(d.attempt(), () -> 0.5);
            assertTrue(a.retry(d, delay, "HTTP 500 at " + d.attempt()));
            advance(delay);
            List<Delivery> due = (d.attempt() % 2 == 1 ? b : a).claimDue(10, LEASE); // any node takes retries
            assertEquals(1, due.size());
            d = due.get(0);
        }
        assertEquals(3, d.attempt());
        assertNull(schedule.delayAfter(d.attempt(), () -> 0.5), "the schedule is exhausted");
        assertTrue(b.deadLetter(d, d.target(), "HTTP 502", d.attempt()));

        assertEquals(0, a.pending());
        assertNull(a.dueAt(id));
        assertFalse(template.hasKey(keys.callbackDelivery(id)));
        Map<String, String> dead = new CallbackDeadLetters(template, keys).get(id);
        assertNotNull(dead);
        assertEquals("3", dead.get("attempts"));
        assertEquals("HTTP 502", dead.get("error"));
        assertEquals(URL, dead.get("target"));
        assertEquals(job, dead.get("job_id"));
        assertEquals("finished", dead.get("event"));
        assertEquals(1, new CallbackDeadLetters(template, keys).list().size());
    }

    @Test
    void queueingTheSameEventAgainReplacesThePendingDeliveryAndFencesOffItsOldClaim() {
        String job = job("job-1", "progress");
        String id = job + "_progress";
        Delivery old = a.claimHandedOff(id, a.enqueue(job, "progress"), LEASE);
        assertNotNull(old);
        String token = a.enqueue(job, "progress");
        assertNotEquals(old.token(), token);

        assertNull(a.fix(old, "msg_x", URL, "{}"), "the old claim cannot fix the new delivery's message");
        assertFalse(a.retry(old, Duration.ofSeconds(1), "HTTP 500"));
        assertFalse(a.acknowledge(old), "nor end it");
        Delivery fresh = a.claimHandedOff(id, token, LEASE);
        assertNotNull(fresh);
        assertEquals(1, fresh.attempt());
        assertFalse(fresh.fixed());
        assertEquals(1, a.pending());
    }

    @Test
    void concurrentClaimersTakeEachDueDeliveryOnce() throws Exception {
        int deliveries = 200;
        for (int i = 0; i < deliveries; i++) {
            a.enqueue(job("job-" + i, "finished"), "finished");
        }
        advance(CallbackQueue.HANDOFF_GRACE);
        ExecutorService nodes = Executors.newFixedThreadPool(4);
        try {
            List<Callable<List<String>>> claimers = new ArrayList<>();
            for (int n = 0; n < 4; n++) {
                CallbackQueue node = new CallbackQueue(template, keys, now::get);
                claimers.add(() -> {
                    List<String> mine = new ArrayList<>();
                    // A batch may come back empty while others claimed what it read: go on until none is due.
                    while (template.opsForZSet().count(keys.callbacksDue(), 0, now.get()) > 0) {
                        node.claimDue(7, LEASE).forEach(d -> mine.add(d.id()));
                    }
                    return mine;
                });
            }
            List<String> all = new ArrayList<>();
            for (Future<List<String>> f : nodes.invokeAll(claimers)) {
                all.addAll(f.get());
            }
            Set<String> distinct = new HashSet<>(all);
            assertEquals(all.size(), distinct.size(), "a delivery was claimed twice");
            assertEquals(deliveries, distinct.size());
        } finally {
            nodes.shutdownNow();
        }
    }

    @Test
    void aDeliveryWhoseHashIsGoneLeavesTheDueSet() {
        String job = job("job-1", "finished");
        a.enqueue(job, "finished");
        template.delete(keys.callbackDelivery(job + "_finished"));
        advance(CallbackQueue.HANDOFF_GRACE);
        assertTrue(a.claimDue(10, LEASE).isEmpty());
        assertEquals(0, a.pending());
    }
}
