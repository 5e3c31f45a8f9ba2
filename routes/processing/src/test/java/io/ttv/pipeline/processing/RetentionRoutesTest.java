package io.ttv.pipeline.processing;

import io.ttv.pipeline.testing.TestJobs;
import io.ttv.pipeline.testing.TestRedis;
import io.ttv.pipeline.core.redis.CallbackDeadLetters;
import io.ttv.pipeline.core.domain.JobStatus;
import io.ttv.pipeline.core.domain.Timestamps;
import io.ttv.pipeline.core.redis.AdminStore;
import io.ttv.pipeline.core.redis.JobStore;
import io.ttv.pipeline.core.redis.RedisKeys;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.data.redis.core.StringRedisTemplate;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The retention sweep against a real Redis: a one-hour retention, jobs that ended two hours ago. */
class RetentionRoutesTest {
    private static final Duration RETENTION = Duration.ofHours(1);
    /** Every job of these tests was created long ago, so all are in the part of the index the sweep reads. */
    private static final Instant LONG_AGO = Instant.now().minus(Duration.ofDays(40));
    @RegisterExtension
    static final TestRedis redis = TestRedis.perClass();
    private static StringRedisTemplate template;
    private static JobStore jobs;
    private static AdminStore admin;

    @BeforeAll
    static void stores() {
        template = redis.clients().template();
        jobs = new JobStore(template, RedisKeys.STANDARD);
        admin = new AdminStore(template, RedisKeys.STANDARD);
    }

    private static String queuedJob() {
        return TestJobs.queued(jobs, LONG_AGO);
    }

    private static String runningJob() {
        String id = queuedJob();
        assertEquals(id, jobs.claim("w1", Duration.ofSeconds(1)));
        assertTrue(jobs.transition(id, JobStatus.STARTED, 0).applied());
        return id;
    }

    /** A job that ended in {@code end}, {@code endedAgo} ago (its recorded end is moved back by that much). */
    private static String endedJob(JobStatus end, Duration endedAgo) {
        String id = runningJob();
        if (end == JobStatus.CANCELED) {
            jobs.cancel(id);
        } else {
            assertTrue(jobs.transition(id, end, null, "error", "boom").applied());
        }
        jobs.acknowledge("w1", id);
        jobs.log(id, "a log line");
        String ended = Timestamps.format(Instant.now().minus(endedAgo));
        template.opsForHash().put(RedisKeys.STANDARD.job(id), "finished_at", ended);
        template.opsForHash().put(RedisKeys.STANDARD.job(id), "updated_at", ended);
        return id;
    }

    private static boolean gone(String id) {
        return jobs.get(id) == null && !Boolean.TRUE.equals(template.hasKey(RedisKeys.STANDARD.jobLogs(id)))
                && template.opsForZSet().score(RedisKeys.STANDARD.jobsIndex(), id) == null;
    }

    private static boolean kept(String id) {
        return jobs.get(id) != null && template.opsForZSet().score(RedisKeys.STANDARD.jobsIndex(), id) != null;
    }

    @Test
    void oldTerminalJobsGoWithAllTheyOwnWhileQueuedRunningAndYoungJobsStay() {
        Duration old = RETENTION.plusHours(1);
        String finished = endedJob(JobStatus.FINISHED, old);
        String failed = endedJob(JobStatus.FAILED, old);
        String canceled = endedJob(JobStatus.CANCELED, old);
        new CallbackDeadLetters(template, RedisKeys.STANDARD)
                .record(failed, "failed", "https://hooks.example/", "503", 8);
        String youngFinished = endedJob(JobStatus.FINISHED, RETENTION.minusMinutes(5));
        String youngFailed = endedJob(JobStatus.FAILED, Duration.ZERO);
        String running = runningJob();
        String queued = queuedJob();

        RetentionRoutes node = new RetentionRoutes(jobs, admin, "node-a", RETENTION);
        assertEquals(3, node.sweep());

        for (String id : new String[] {finished, failed, canceled}) {
            assertTrue(gone(id), "old terminal job " + id + " is gone: hash, logs, index entry");
        }
        assertFalse(Boolean.TRUE.equals(template.hasKey(RedisKeys.STANDARD.callbackDeadLetter(failed + "_failed"))));
        assertEquals(0L, template.opsForZSet().zCard(RedisKeys.STANDARD.callbackDeadLetters()));
        for (String id : new String[] {youngFinished, youngFailed, queued, running}) {
            assertTrue(kept(id), "job " + id + " stays");
        }
        assertEquals("queued", jobs.get(queued).get("status"));
        assertEquals(List.of(queued), template.opsForList().range(RedisKeys.STANDARD.queue(), 0, -1),
                "the queue is untouched");
        assertEquals("started", jobs.get(running).get("status"));
        assertEquals(List.of(running), jobs.processing("w1"), "the running job is untouched");
        assertEquals(0, node.sweep(), "nothing more to delete");
    }

    @Test
    void onlyTheNodeHoldingTheLeaseSweeps() {
        RetentionRoutes a = new RetentionRoutes(jobs, admin, "node-a", RETENTION);
        RetentionRoutes b = new RetentionRoutes(jobs, admin, "node-b", RETENTION);
        assertEquals(0, a.sweep(), "node a takes the lease");
        String old = endedJob(JobStatus.FINISHED, RETENTION.plusHours(1));
        assertEquals(0, b.sweep(), "node b does not hold the lease");
        assertNotNull(jobs.get(old));
        assertEquals("node-a", template.opsForValue().get(RedisKeys.STANDARD.retentionLock()));
        assertEquals(1, a.sweep(), "the holder renews its lease and sweeps");
        assertNull(jobs.get(old));
    }

    @Test
    void aZeroRetentionKeepsEverything() {
        String old = endedJob(JobStatus.FINISHED, Duration.ofDays(3650));
        assertEquals(0, new RetentionRoutes(jobs, admin, "node-a", Duration.ZERO).sweep());
        assertTrue(kept(old));
        assertNull(template.opsForValue().get(RedisKeys.STANDARD.retentionLock()), "no lease taken");
    }
}
