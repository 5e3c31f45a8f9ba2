package io.ttv.pipeline.core.redis;

import io.ttv.pipeline.testing.TestJobs;
import io.ttv.pipeline.testing.TestRedis;
import io.ttv.pipeline.core.app.RedisClients;
import io.ttv.pipeline.core.redis.CallbackDeadLetters;
import io.ttv.pipeline.core.domain.JobStatus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The console's admin operations (admin-retry.lua, purge-job.lua, queue and worker stats) against a real Redis. */
class AdminStoreTest {
    @RegisterExtension
    static final TestRedis redis = TestRedis.perClass();
    private static RedisClients clients;
    private static JobStore store;
    private static AdminStore admin;

    @BeforeAll
    static void stores() {
        clients = redis.clients();
        store = new JobStore(clients.template(), clients.keys());
        admin = new AdminStore(clients.template(), clients.keys());
    }

    private static String newJob() {
        return TestJobs.queued(store);
    }

    /** A job claimed by w1, started and then in {@code end}. */
    private static String endedJob(JobStatus end) {
        String id = newJob();
        assertEquals(id, store.claim("w1", Duration.ofSeconds(1)));
        store.transition(id, JobStatus.STARTED, null);
        store.transition(id, JobStatus.PROGRESS, 40);
        if (end == JobStatus.CANCELED) {
            store.cancel(id);
        } else {
            store.transition(id, end, null, "error", "boom", "retryable", "false");
        }
        store.acknowledge("w1", id);
        return id;
    }

    @Test
    void retryPutsAFailedJobBackInTheQueueWithFreshAttempts() {
        String id = endedJob(JobStatus.FAILED);
        assertEquals(0, store.queueDepth());
        TransitionResult r = admin.retryFailed(id);
        assertTrue(r.applied());
        Map<String, String> job = store.get(id);
        assertEquals("queued", job.get("status"));
        assertEquals("0", job.get("attempts"));
        assertEquals("0", job.get("progress"));
        assertEquals("boom", job.get("last_error"));
        assertNull(job.get("error"));
        assertNull(job.get("finished_at"));
        assertNull(job.get("retryable"));
        assertEquals(List.of(id), clients.template().opsForList().range(clients.keys().queue(), 0, -1));
        // and the normal machine takes it from there
        assertEquals(id, store.claim("w2", Duration.ofSeconds(1)));
        assertTrue(store.transition(id, JobStatus.STARTED, null).applied());
        assertEquals("1", store.get(id).get("attempts"));
    }

    @Test
    void retryRefusesEveryOtherStatus() {
        String finished = endedJob(JobStatus.FINISHED);
        String canceled = endedJob(JobStatus.CANCELED);
        String queued = newJob();
        assertEquals(new TransitionResult(TransitionResult.Outcome.REFUSED, JobStatus.FINISHED), admin.retryFailed(finished));
        assertEquals(new TransitionResult(TransitionResult.Outcome.REFUSED, JobStatus.CANCELED), admin.retryFailed(canceled));
        assertEquals(new TransitionResult(TransitionResult.Outcome.REFUSED, JobStatus.QUEUED), admin.retryFailed(queued));
        assertEquals(TransitionResult.Outcome.MISSING, admin.retryFailed("nope").outcome());
        assertEquals(1, store.queueDepth(), "only the queued job is in the queue");
    }

    @Test
    void theNormalStateMachineStillRefusesFailedToQueued() {
        String id = endedJob(JobStatus.FAILED);
        TransitionResult r = store.transition(id, JobStatus.QUEUED, null);
        assertFalse(r.applied());
        assertEquals(JobStatus.FAILED, r.status());
    }

    @Test
    void purgeDeletesOnlyTerminalJobsThatEndedBeforeTheCutoff() {
        String finished = endedJob(JobStatus.FINISHED);
        String failed = endedJob(JobStatus.FAILED);
        String queued = newJob();
        store.log(finished, "a line");
        assertEquals(0, admin.purgeTerminal(Instant.now().minus(Duration.ofDays(1))), "nothing ended a day ago");
        assertEquals(2, admin.purgeTerminal(Instant.now().plusSeconds(1)));
        assertNull(store.get(finished));
        assertNull(store.get(failed));
        assertFalse(clients.template().hasKey(clients.keys().jobLogs(finished)));
        assertNull(clients.template().opsForZSet().score(clients.keys().jobsIndex(), finished));
        assertEquals("queued", store.get(queued).get("status"));
        assertEquals(1L, clients.template().opsForZSet().zCard(clients.keys().jobsIndex()));
    }

    @Test
    void purgeAlsoDeletesTheJobsCallbackDeadLettersAndStopsAtItsLimit() {
        String a = endedJob(JobStatus.FINISHED);
        String b = endedJob(JobStatus.FAILED);
        String c = endedJob(JobStatus.CANCELED);
        CallbackDeadLetters deadLetters = new CallbackDeadLetters(clients.template(), clients.keys());
        deadLetters.record(a, "finished", "https://hooks.example/a", "503", 8);
        deadLetters.record(a, "started", "https://hooks.example/a", "503", 8);
        deadLetters.record(c, "canceled", "https://hooks.example/c", "503", 8);
        Instant cutoff = Instant.now().plusSeconds(1);
        assertEquals(2, admin.purgeTerminal(cutoff, 2), "at most the limit");
        assertEquals(1L, clients.template().opsForZSet().zCard(clients.keys().jobsIndex()));
        assertEquals(1, admin.purgeTerminal(cutoff, 2), "the rest on the next call");
        for (String id : List.of(a, b, c)) {
            assertNull(store.get(id));
        }
        assertTrue(deadLetters.list().isEmpty(), "the purged jobs' dead letters are gone");
        assertFalse(clients.template().hasKey(clients.keys().callbackDeadLetter(a + "_finished")));
        assertFalse(clients.template().hasKey(clients.keys().callbackDeadLetter(c + "_canceled")));
    }

    @Test
    void queueAndWorkerStatistics() {
        String a = newJob();
        String b = newJob();
        store.heartbeat("w1", Duration.ofSeconds(10));
        assertEquals(a, store.claim("w1", Duration.ofSeconds(1)));
        AdminStore.QueueSnapshot q = admin.queue();
        assertEquals(1, q.depth());
        assertEquals(Map.of("w1", 1L), q.processing());
        assertEquals(b, q.oldestJob(), "the job that has waited longest");
        List<AdminStore.WorkerEntry> workers = admin.workers();
        assertEquals(1, workers.size());
        assertEquals(List.of(a), workers.get(0).jobs());
        assertTrue(workers.get(0).heartbeatKey());
    }
}
