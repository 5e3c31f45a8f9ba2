package io.ttv.pipeline.processing;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTrue;

class JobWorkerTest {

    @Test
    void backoffDoublesPerAttemptWithJitterAndACap() {
        Duration base = Duration.ofSeconds(5);
        for (int i = 0; i < 50; i++) {
            long first = JobWorker.backoff(base, 1).toMillis();
            long third = JobWorker.backoff(base, 3).toMillis();
            assertTrue(first >= 4_000 && first <= 6_000, "first retry " + first);
            assertTrue(third >= 16_000 && third <= 24_000, "third retry " + third);
            assertTrue(JobWorker.backoff(base, 30).toMillis() <= Duration.ofMinutes(10).toMillis());
        }
    }
}
