package io.ttv.pipeline.intake;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wakes long-polling readers of a job on this node when the job changes. Fed by the job-events subscription
 * ({@code intake-job-events}); readers also re-read on their own every {@link #RECHECK}, so a missed message only
 * delays an answer, never loses it.
 */
public class JobEvents {
    /** How long a reader waits for a signal before it looks at the job again anyway. */
    public static final Duration RECHECK = Duration.ofSeconds(1);

    private final Map<String, CompletableFuture<Void>> waiting = new ConcurrentHashMap<>();
    private final AtomicInteger waiters = new AtomicInteger();
    private final int maxWaiters;
    /** Set while the intake flow is being removed: readers answer with what they have instead of waiting. */
    private volatile boolean closed;

    /** @param maxWaiters readers that may wait at once on this node; more are answered without waiting */
    public JobEvents(int maxWaiters) {
        this.maxWaiters = maxWaiters;
    }

    /** Called with the id of a job whose status or progress changed. */
    public void signal(String jobId) {
        CompletableFuture<Void> f = waiting.remove(jobId);
        if (f != null) {
            f.complete(null);
        }
    }

    /** Ends every wait now and refuses new ones: the flow is going away and its readers must be answered. */
    public void close() {
        closed = true;
        waiting.keySet().forEach(this::signal);
    }

    public boolean isClosed() {
        return closed;
    }

    /** Claims a waiting slot; false when the node already has its maximum of long-polling readers, or is closing. */
    public boolean reserve() {
        if (closed) {
            return false;
        }
        if (waiters.incrementAndGet() > maxWaiters) {
            waiters.decrementAndGet();
            return false;
        }
        return true;
    }

    public void release() {
        waiters.decrementAndGet();
    }

    /** Waits until {@code jobId} is signalled or {@code max} (capped at {@link #RECHECK}) has passed. */
    public void await(String jobId, Duration max) throws InterruptedException {
        long ms = Math.min(max.toMillis(), RECHECK.toMillis());
        if (ms <= 0 || closed) {
            return;
        }
        CompletableFuture<Void> f = waiting.computeIfAbsent(jobId, k -> new CompletableFuture<>());
        try {
            f.get(ms, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // Nothing arrived: the caller re-reads the job. A future nobody completed is not kept for ever.
            waiting.remove(jobId, f);
        }
    }
}
