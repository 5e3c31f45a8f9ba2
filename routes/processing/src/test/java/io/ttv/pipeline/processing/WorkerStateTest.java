package io.ttv.pipeline.processing;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkerStateTest {

    /** Runs a "job" on its own thread that blocks until interrupted; reports whether the limit was the cause. */
    private static boolean[] runBlockingJob(WorkerState state, String jobId, CountDownLatch running)
            throws InterruptedException {
        boolean[] outcome = new boolean[2]; // interrupted, timed out
        Thread worker = new Thread(() -> {
            state.started(jobId);
            running.countDown();
            try {
                new CountDownLatch(1).await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                outcome[0] = true;
            } finally {
                outcome[1] = state.wasTimedOut(jobId);
                state.ended(jobId);
            }
        });
        worker.start();
        assertTrue(running.await(10, TimeUnit.SECONDS));
        return outcome;
    }

    @Test
    void aJobOverItsTimeLimitIsInterruptedAndMarked() throws Exception {
        WorkerState state = new WorkerState(Duration.ofMillis(200));
        CountDownLatch running = new CountDownLatch(1);
        boolean[] outcome = runBlockingJob(state, "slow", running);
        assertTrue(state.stop(Duration.ofSeconds(30)) == 0, "the job ended by itself once interrupted");
        assertTrue(outcome[0], "interrupted");
        assertTrue(outcome[1], "marked as timed out");
    }

    @Test
    void aCancelSignalInterruptsOnlyTheCanceledJob() throws Exception {
        WorkerState state = new WorkerState(Duration.ofHours(1));
        CountDownLatch running = new CountDownLatch(1);
        boolean[] outcome = runBlockingJob(state, "to-cancel", running);
        assertFalse(state.cancel("another-job"));
        assertTrue(state.cancel("to-cancel"));
        assertEquals(0, state.stop(Duration.ofSeconds(30)));
        assertTrue(outcome[0]);
        assertFalse(outcome[1], "a cancel is not a timeout");
    }

    @Test
    void stopInterruptsWhatOutlivesTheGracePeriod() throws Exception {
        WorkerState state = new WorkerState(Duration.ofHours(1));
        CountDownLatch running = new CountDownLatch(1);
        boolean[] outcome = runBlockingJob(state, "long", running);
        assertEquals(1, state.stop(Duration.ofMillis(100)));
        assertTrue(state.isStopping());
        assertTrue(outcome[0]);
    }

    @Test
    void aJobEndedFromTheCompletionThreadLeavesNothingToWaitFor() throws Exception {
        WorkerState state = new WorkerState(Duration.ofHours(1));
        Thread worker = new Thread(() -> state.started("done"));
        worker.start();
        worker.join();
        state.ended("done"); // completions may run on another thread than the job
        assertEquals(0, state.stop(Duration.ZERO), "an idle node stops at once and interrupts nothing");
    }

    @Test
    void noJobStartsOnceTheNodeIsStopping() throws Exception {
        WorkerState state = new WorkerState(Duration.ofMinutes(1));
        assertEquals(0, state.stop(Duration.ZERO), "nothing was running");
        assertFalse(state.started("claimed-as-the-stop-began"), "refused, not an exception from the stopped timer");
        assertFalse(state.isRunning("claimed-as-the-stop-began"));
    }
}
