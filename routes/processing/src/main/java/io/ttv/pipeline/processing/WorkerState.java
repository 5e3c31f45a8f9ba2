package io.ttv.pipeline.processing;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The jobs running on this node and whether it is stopping. A graceful stop stops claiming, waits for running
 * jobs up to the grace period, then interrupts the rest: their jobs are left unfinished for the queue, not failed.
 * A cancel signal interrupts the one thread running the canceled job, and so does the job's time limit.
 */
public class WorkerState {
    private final Map<String, Thread> running = new ConcurrentHashMap<>();
    private final Map<String, ScheduledFuture<?>> deadlines = new ConcurrentHashMap<>();
    private final Set<String> canceled = ConcurrentHashMap.newKeySet();
    private final Set<String> timedOut = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer;
    private final Duration jobTimeout;
    private volatile boolean stopping;

    public WorkerState(Duration jobTimeout) {
        this.jobTimeout = jobTimeout;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ttv-job-timeouts");
            t.setDaemon(true);
            return t;
        });
    }

    public Duration jobTimeout() {
        return jobTimeout;
    }

    public boolean isStopping() {
        return stopping;
    }

    /**
     * Called on the thread that runs the job, before it starts; arms its time limit. False once the node is
     * stopping: a job claimed just before the stop began must not start, and the stop gives it back to the queue.
     */
    synchronized boolean started(String jobId) {
        if (stopping) {
            return false;
        }
        Thread worker = Thread.currentThread();
        running.put(jobId, worker);
        deadlines.put(jobId, timer.schedule(() -> {
            if (running.get(jobId) == worker) {
                timedOut.add(jobId);
                worker.interrupt();
            }
        }, jobTimeout.toMillis(), TimeUnit.MILLISECONDS));
        return true;
    }

    /** Called when the job's exchange completes, on whichever thread runs the completion. */
    void ended(String jobId) {
        ScheduledFuture<?> deadline = deadlines.remove(jobId);
        if (deadline != null) {
            deadline.cancel(false);
        }
        running.remove(jobId);
        canceled.remove(jobId);
        timedOut.remove(jobId);
        synchronized (this) {
            notifyAll();
        }
    }

    /** Whether a job runs on this node right now. */
    public boolean isRunning(String jobId) {
        return running.containsKey(jobId);
    }

    boolean wasTimedOut(String jobId) {
        return timedOut.contains(jobId);
    }

    boolean wasCanceled(String jobId) {
        return canceled.contains(jobId);
    }

    /** Aborts the job if it runs on this node (a cancel signal); true if it did. */
    public boolean cancel(String jobId) {
        Thread worker = running.get(jobId);
        if (worker == null) {
            return false;
        }
        canceled.add(jobId);
        worker.interrupt();
        return true;
    }

    /** Stops claiming, waits up to {@code grace} for running jobs, then interrupts them; returns the interrupted count. */
    public int stop(Duration grace) throws InterruptedException {
        synchronized (this) {
            stopping = true;
        }
        try {
            if (awaitIdle(grace)) {
                return 0;
            }
            int interrupted = running.size();
            running.values().forEach(Thread::interrupt);
            awaitIdle(Duration.ofSeconds(10));
            return interrupted;
        } finally {
            timer.shutdownNow();
        }
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
