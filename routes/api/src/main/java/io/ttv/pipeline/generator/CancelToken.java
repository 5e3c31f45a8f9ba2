package io.ttv.pipeline.generator;

import java.time.Duration;

/**
 * Cooperative cancel flag for one generation, for callers that do not interrupt the generating thread. A generator
 * waits through {@link #await(Duration)}, which returns early (with {@code true}) once {@link #cancel()} is called;
 * an interrupt of the waiting thread is honoured as well ({@link InterruptedException}).
 */
public final class CancelToken {
    /** A token that is never canceled (interrupts still work). */
    public static CancelToken none() {
        return new CancelToken();
    }

    private boolean canceled;

    public synchronized void cancel() {
        canceled = true;
        notifyAll();
    }

    public synchronized boolean isCanceled() {
        return canceled;
    }

    /**
     * Waits up to {@code timeout} unless canceled.
     *
     * @return {@code true} if the token is canceled (before or during the wait)
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public synchronized boolean await(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!canceled) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            long ms = Math.max(1, left / 1_000_000);
            wait(ms);
        }
        return true;
    }
}
