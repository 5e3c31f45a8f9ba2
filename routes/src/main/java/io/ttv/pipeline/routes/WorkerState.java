package io.ttv.pipeline.routes;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The jobs running on this node and whether it is stopping. A graceful stop stops claiming, waits for running
 * jobs up to the grace period, then interrupts the rest: their jobs are left unfinished for the queue, not failed.
 * A cancel signal interrupts the one thread running the canceled job.
 */
public class WorkerState {
    private final Map<Thread, String> running = new ConcurrentHashMap<>();
    private final Set<String> canceled = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;

    public boolean isStopping() {
        return stopping;
    }

    void started(String jobId) {
        running.put(Thread.currentThread(), jobId);
    }

    boolean wasCanceled(String jobId) {
        return canceled.contains(jobId);
    }

    /** Aborts the job if it runs on this node (a cancel signal); true if it did. */
    public boolean cancel(String jobId) {
        for (Map.Entry<Thread, String> e : running.entrySet()) {
            if (e.getValue().equals(jobId)) {
                canceled.add(jobId);
                e.getKey().interrupt();
                return true;
            }
        }
        return false;
    }

    void ended() {
        String jobId = running.remove(Thread.currentThread());
        if (jobId != null) {
            canceled.remove(jobId);
        }
        // An interrupt that arrived after the job's last interruptible step must not hit the next job.
        Thread.interrupted();
        synchronized (this) {
            notifyAll();
        }
    }

    /** Stops claiming, waits up to {@code grace} for running jobs, then interrupts them; returns the interrupted count. */
    public int stop(Duration grace) throws InterruptedException {
        stopping = true;
        if (awaitIdle(grace)) {
            return 0;
        }
        int interrupted = running.size();
        running.keySet().forEach(Thread::interrupt);
        awaitIdle(Duration.ofSeconds(10));
        return interrupted;
    }

    private synchronized boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!running.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }
}
