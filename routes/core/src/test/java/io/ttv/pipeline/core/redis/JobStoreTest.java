package io.ttv.pipeline.core.redis;

import io.ttv.pipeline.testing.TestJobs;
import io.ttv.pipeline.testing.TestRedis;
import io.ttv.pipeline.core.app.RedisClients;
import io.ttv.pipeline.core.domain.JobStatus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Redis job store against a real Redis 7 server (the binary shipped by embedded-redis). */
class JobStoreTest {
    @RegisterExtension
    static final TestRedis redis = TestRedis.perClass();
    private static RedisClients clients;
    private static JobStore store;

    @BeforeAll
    static void stores() {
        clients = redis.clients();
        store = new JobStore(clients.template(), clients.keys());
    }

    private static String newJob() {
        return TestJobs.queued(store);
    }

    @Test
    void createStoresIndexesAndQueuesTogether() {
        String id = newJob();
        assertEquals("queued", store.get(id).get("status"));
        assertEquals(1, store.queueDepth());
        assertEquals(1L, clients.template().opsForZSet().zCard(clients.keys().jobsIndex()));
        assertThrows(IllegalStateException.class, () -> store.create(id, Instant.now(), Map.of("id", id)));
        assertEquals(1, store.queueDepth());
    }

    @Test
    void aCreationTakesItsRateLimitTokenInTheSameCallAndARefusedOneWritesNothing() {
        RateLimiter limiter = new RateLimiter(clients.template(), clients.keys(), 60, 2);
        RateLimiter.Bucket bucket = limiter.bucket("ip:203.0.113.9");
        long depth = store.queueDepth();
        CreateResult first = store.create(UUID.randomUUID().toString(), Instant.now(), Map.of("status", "queued"), null,
                bucket);
        assertEquals(CreateResult.Outcome.CREATED, first.outcome());
        assertTrue(first.rateLimit().allowed());
        assertEquals(2, first.rateLimit().limit());
        assertEquals(1, first.rateLimit().remaining());
        JobStore.Idempotency key = new JobStore.Idempotency("digest-" + UUID.randomUUID(), "fingerprint");
        String second = UUID.randomUUID().toString();
        assertEquals(CreateResult.Outcome.CREATED,
                store.create(second, Instant.now(), Map.of("status", "queued"), key, bucket).outcome());

        String refused = UUID.randomUUID().toString();
        CreateResult limited = store.create(refused, Instant.now(), Map.of("status", "queued"), null, bucket);
        assertEquals(CreateResult.Outcome.LIMITED, limited.outcome());
        assertFalse(limited.rateLimit().allowed());
        assertTrue(limited.rateLimit().retryAfterMs() > 0);
        assertNull(store.get(refused), "a refused creation writes nothing");
        assertEquals(depth + 2, store.queueDepth());
        assertEquals(CreateResult.Outcome.LIMITED,
                store.create(UUID.randomUUID().toString(), Instant.now(), Map.of(), key, bucket).outcome(),
                "a replay takes a token too");
        assertEquals(CreateResult.Outcome.CREATED, store.create(UUID.randomUUID().toString(), Instant.now(),
                Map.of("status", "queued"), null, limiter.bucket("ip:203.0.113.10")).outcome(), "buckets are per client");
        assertTrue(limiter.take("ip:203.0.113.10").allowed(), "the front door's calls share the bucket");
        assertFalse(limiter.take("ip:203.0.113.10").allowed());
    }

    @Test
    void claimMovesTheOldestJobIntoTheWorkersListUntilAcknowledged() {
        String first = newJob();
        String second = newJob();
        assertEquals(first, store.claim("w1", Duration.ofSeconds(1)));
        assertEquals(List.of(first), clients.template().opsForList().range(clients.keys().processing("w1"), 0, -1));
        assertEquals(1, store.queueDepth());
        store.acknowledge("w1", first);
        assertEquals(0L, clients.template().opsForList().size(clients.keys().processing("w1")));
        assertEquals(second, store.claim("w2", Duration.ofSeconds(1)));
        assertNull(store.claim("w2", Duration.ofMillis(100)));
    }

    @Test
    void stateMachineAllowsOnlyForwardMovesAndKeepsTerminalStates() {
        String id = newJob();
        assertFalse(store.transition(id, JobStatus.FINISHED, null).applied(), "queued → finished skips started");
        assertTrue(store.transition(id, JobStatus.STARTED, 0).applied());
        String startedAt = store.get(id).get("started_at");
        assertEquals("1", store.get(id).get("attempts"));

        assertTrue(store.transition(id, JobStatus.PROGRESS, 40).applied());
        assertTrue(store.transition(id, JobStatus.PROGRESS, 20).applied());
        assertEquals("40", store.get(id).get("progress"), "progress never decreases");

        assertTrue(store.transition(id, JobStatus.FINISHED, 100, "gcs_uri", "gs://b/o").applied());
        Map<String, String> done = store.get(id);
        assertEquals("finished", done.get("status"));
        assertEquals("100", done.get("progress"));
        assertEquals(startedAt, done.get("started_at"));
        String finishedAt = done.get("finished_at");
        assertTrue(finishedAt.compareTo(startedAt) >= 0);

        TransitionResult again = store.transition(id, JobStatus.CANCELED, null);
        assertFalse(again.applied());
        assertEquals(JobStatus.FINISHED, again.status());
        assertFalse(store.transition(id, JobStatus.FAILED, null, "error", "late").applied());
        assertEquals(finishedAt, store.get(id).get("finished_at"));
        assertNull(store.get(id).get("error"));
    }

    @Test
    void aWorkersMoveCarriesItsLogLinesAcknowledgementAndTheJobInOneCallOnlyWhenApplied() {
        String id = newJob();
        assertEquals(id, store.claim("w1", Duration.ofSeconds(1)));
        TransitionResult started = store.transition(id, Transition.to(JobStatus.STARTED).progress(0)
                .log("started on worker w1").returningJob());
        assertEquals("started", started.job().get("status"));
        assertEquals("1", started.job().get("attempts"));
        assertEquals(id, started.job().get("id"));
        assertEquals(JobStatus.STARTED, store.status(id));

        assertNull(store.transition(id, Transition.to(JobStatus.PROGRESS).progress(50)).job(), "not asked for");
        store.transition(id, JobStatus.CANCELED, null);
        TransitionResult late = store.transition(id, Transition.to(JobStatus.FINISHED).log("rendered 10 bytes")
                .log("finished").acknowledgedBy("w1").returningJob().set("gcs_uri", "gs://b/o"));
        assertFalse(late.applied());
        assertNull(late.job());
        assertEquals(List.of(id), store.processing("w1"), "a refused move leaves the processing list alone");
        assertEquals(1, store.logs(id, 10).size(), "nor does it log: " + store.logs(id, 10));
        assertNull(store.get(id).get("gcs_uri"));

        String other = newJob();
        assertEquals(other, store.claim("w1", Duration.ofSeconds(1)));
        store.transition(other, JobStatus.STARTED, 0);
        assertTrue(store.transition(other, Transition.to(JobStatus.FINISHED).log("rendered 10 bytes").log("finished")
                .acknowledgedBy("w1").set("gcs_uri", "gs://b/o")).applied());
        assertEquals(List.of(id), store.processing("w1"), "the finished job left the list, the other stayed");
        assertEquals("gs://b/o", store.get(other).get("gcs_uri"));
        assertEquals("100", store.get(other).get("progress"));
        List<String> log = store.logs(other, 10);
        assertEquals(2, log.size());
        assertTrue(log.get(0).endsWith("] rendered 10 bytes") && log.get(1).endsWith("] finished"), log.toString());
        assertNull(store.status(UUID.randomUUID().toString()));
    }

    @Test
    void canceledQueuedJobIsNeverStartedLater() {
        String id = newJob();
        assertTrue(store.transition(id, JobStatus.CANCELED, null).applied());
        TransitionResult start = store.transition(id, JobStatus.STARTED, 0);
        assertFalse(start.applied());
        assertEquals(JobStatus.CANCELED, start.status());
        assertEquals(TransitionResult.Outcome.MISSING,
                store.transition(UUID.randomUUID().toString(), JobStatus.STARTED, 0).outcome());
    }

    @Test
    void logsAreCappedAndHeartbeatsCountLiveWorkers() {
        String id = newJob();
        for (int i = 0; i < JobStore.MAX_LOG_LINES + 5; i++) {
            store.log(id, "line " + i);
        }
        List<String> lines = clients.template().opsForList().range(clients.keys().jobLogs(id), 0, -1);
        assertEquals(JobStore.MAX_LOG_LINES, lines.size());
        assertTrue(lines.get(lines.size() - 1).endsWith("] line " + (JobStore.MAX_LOG_LINES + 4)));

        assertEquals(0, store.liveWorkers(Duration.ofSeconds(10)));
        store.heartbeat("w1", Duration.ofSeconds(10));
        assertEquals(1, store.liveWorkers(Duration.ofSeconds(10)));
        store.removeWorker("w1");
        assertEquals(0, store.liveWorkers(Duration.ofSeconds(10)));
        assertTrue(store.ping());
    }

    @Test
    void giveBackTakesOnlyTheNamedJobsOfALiveWorker() {
        String orphan = newJob();
        String ended = newJob();
        String running = newJob();
        assertEquals(orphan, store.claim("live", Duration.ofSeconds(1)));
        assertEquals(ended, store.claim("live", Duration.ofSeconds(1)));
        assertEquals(running, store.claim("live", Duration.ofSeconds(1)));
        store.transition(orphan, JobStatus.STARTED, 0);
        store.transition(ended, JobStatus.STARTED, 0);
        store.transition(ended, JobStatus.FAILED, null);
        store.transition(running, JobStatus.STARTED, 0);

        RequeueResult r = store.giveBack("live", 3, List.of(orphan, ended));
        assertEquals(1, r.requeued());
        assertEquals(List.of(running), store.processing("live"), "the job still running stays");
        assertEquals("queued", store.get(orphan).get("status"));
        assertEquals("failed", store.get(ended).get("status"), "an ended job only leaves the list");
        assertEquals(orphan, store.claim("other", Duration.ofSeconds(1)));
    }

    @Test
    void requeueGivesBackUnfinishedJobsOldestFirstAndFailsExhaustedOnes() {
        String older = newJob();
        String newer = newJob();
        String done = newJob();
        String waiting = newJob();
        assertEquals(older, store.claim("dead", Duration.ofSeconds(1)));
        assertEquals(newer, store.claim("dead", Duration.ofSeconds(1)));
        assertEquals(done, store.claim("dead", Duration.ofSeconds(1)));
        store.transition(older, JobStatus.STARTED, 0);
        store.transition(older, JobStatus.PROGRESS, 30);
        store.transition(done, JobStatus.STARTED, 0);
        store.transition(done, JobStatus.FINISHED, 100);
        // newer was claimed but never started

        RequeueResult r = store.requeue("dead", 3);
        assertEquals(2, r.requeued());
        assertTrue(r.failed().isEmpty());
        assertEquals(0L, clients.template().opsForList().size(clients.keys().processing("dead")));
        assertEquals("queued", store.get(older).get("status"));
        assertEquals("30", store.get(older).get("progress"));
        assertEquals("finished", store.get(done).get("status"));
        assertEquals(older, store.claim("w2", Duration.ofSeconds(1)), "recovered jobs go first, oldest claim first");
        assertEquals(newer, store.claim("w2", Duration.ofSeconds(1)));
        assertEquals(waiting, store.claim("w2", Duration.ofSeconds(1)));
    }

    @Test
    void aJobThatUsedUpItsAttemptsIsFailedNotRequeued() {
        String id = newJob();
        for (int attempt = 1; attempt <= 2; attempt++) {
            assertEquals(id, store.claim("w" + attempt, Duration.ofSeconds(1)));
            assertTrue(store.transition(id, JobStatus.STARTED, 0).applied());
            RequeueResult r = store.requeue("w" + attempt, 2);
            if (attempt == 1) {
                assertEquals(1, r.requeued());
            } else {
                assertEquals(List.of(id), r.failed());
            }
        }
        Map<String, String> job = store.get(id);
        assertEquals("failed", job.get("status"));
        assertEquals("false", job.get("retryable"));
        assertEquals(JobStore.ATTEMPTS_EXHAUSTED, job.get("error"));
        assertEquals(0, store.queueDepth());
    }

    @Test
    void deadWorkersAreThoseWhoseHeartbeatExpiredAndTheLeaseHasOneHolder() {
        store.heartbeat("alive", Duration.ofSeconds(30));
        store.heartbeat("dead", Duration.ofMillis(1));
        clients.template().delete(clients.keys().heartbeat("dead"));
        assertEquals(List.of("dead"), store.deadWorkers(Duration.ZERO));

        assertTrue(store.lease(clients.keys().reaperLock(), "node-a", Duration.ofSeconds(30)));
        assertTrue(store.lease(clients.keys().reaperLock(), "node-a", Duration.ofSeconds(30)), "the holder renews");
        assertFalse(store.lease(clients.keys().reaperLock(), "node-b", Duration.ofSeconds(30)));
    }

    @Test
    void cancelTakesAQueuedJobOffTheQueueAndRefusesEndedJobs() {
        String queued = newJob();
        CancelResult r = store.cancel(queued);
        assertEquals(CancelResult.Outcome.DEQUEUED, r.outcome());
        assertEquals(0, store.queueDepth());
        assertEquals("canceled", store.get(queued).get("status"));
        assertTrue(store.get(queued).containsKey("finished_at"));

        String running = newJob();
        store.claim("w1", Duration.ofSeconds(1));
        store.transition(running, JobStatus.STARTED, 0);
        assertEquals(CancelResult.Outcome.SIGNALLED, store.cancel(running).outcome());
        assertFalse(store.transition(running, JobStatus.FINISHED, 100).applied(), "a canceled job stays canceled");

        CancelResult again = store.cancel(running);
        assertEquals(CancelResult.Outcome.TERMINAL, again.outcome());
        assertEquals(JobStatus.CANCELED, again.status());
        assertEquals(CancelResult.Outcome.MISSING, store.cancel(UUID.randomUUID().toString()).outcome());
    }

    @Test
    void pagesWalkTheIndexNewestFirstWithoutGapsOrRepeatsEvenForEqualCreationTimes() {
        Instant base = Instant.parse("2026-11-28T12:00:00Z");
        List<String> expected = new java.util.ArrayList<>();
        for (int i = 0; i < 57; i++) {
            String id = UUID.randomUUID().toString();
            // Runs of up to 30 jobs share one creation millisecond: longer than a page.
            Instant created = base.plusMillis(i / 30);
            store.create(id, created, Map.of("id", id, "status", i % 3 == 0 ? "finished" : "queued"));
            expected.add(id);
        }
        expected.sort(java.util.Comparator.comparing((String id) -> (Long) (long) clients.template().opsForZSet()
                .score(clients.keys().jobsIndex(), id).doubleValue()).thenComparing(id -> id).reversed());

        List<String> seen = new java.util.ArrayList<>();
        JobPage.Position cursor = null;
        int pages = 0;
        do {
            JobPage page = store.page(cursor, 10, null);
            page.jobs().forEach(j -> seen.add(j.get("id")));
            cursor = page.nextCursor() == null ? null : JobPage.Position.decode(page.nextCursor());
            pages++;
        } while (cursor != null && pages < 20);
        assertEquals(expected, seen);

        List<String> finished = new java.util.ArrayList<>();
        cursor = null;
        do {
            JobPage page = store.page(cursor, 7, JobStatus.FINISHED);
            page.jobs().forEach(j -> {
                assertEquals("finished", j.get("status"));
                finished.add(j.get("id"));
            });
            cursor = page.nextCursor() == null ? null : JobPage.Position.decode(page.nextCursor());
        } while (cursor != null);
        assertEquals(19, finished.size());
        assertEquals(expected.stream().filter(finished::contains).toList(), finished);
        assertThrows(IllegalArgumentException.class, () -> JobPage.Position.decode("not-a-cursor!"));
    }

    @Test
    void retryableFailureWaitsInTheDelayedSetThenReturnsToTheFrontOfTheQueue() {
        String waiting = newJob();
        String failing = newJob();
        assertEquals(waiting, store.claim("w1", Duration.ofSeconds(1)));
        assertEquals(failing, store.claim("w1", Duration.ofSeconds(1)));
        store.transition(failing, JobStatus.STARTED, 0);

        assertTrue(store.scheduleRetry(failing, "w1", Duration.ofHours(1), "storage unavailable").applied());
        assertEquals("queued", store.get(failing).get("status"));
        assertEquals("storage unavailable", store.get(failing).get("last_error"));
        assertEquals(List.of(waiting), clients.template().opsForList().range(clients.keys().processing("w1"), 0, -1));
        assertEquals(0, store.promoteDueRetries(10), "not due yet");

        clients.template().opsForZSet().add(clients.keys().delayed(), failing, 0);
        assertEquals(1, store.promoteDueRetries(10));
        assertEquals(0L, clients.template().opsForZSet().zCard(clients.keys().delayed()));
        assertEquals(failing, store.claim("w2", Duration.ofSeconds(1)), "a due retry goes first");

        String canceled = newJob();
        assertEquals(canceled, store.claim("w3", Duration.ofSeconds(1)));
        store.transition(canceled, JobStatus.STARTED, 0);
        store.scheduleRetry(canceled, "w3", Duration.ofHours(1), "x");
        assertEquals(CancelResult.Outcome.DEQUEUED, store.cancel(canceled).outcome());
        assertEquals(0L, clients.template().opsForZSet().zCard(clients.keys().delayed()),
                "a canceled retry is dropped");
    }
}
