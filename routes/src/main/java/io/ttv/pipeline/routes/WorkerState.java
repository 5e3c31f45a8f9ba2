package io.ttv.pipeline.routes;

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
    private final Map<Thread, String> running = new ConcurrentHashMap<>();
    private final Set<String> canceled = ConcurrentHashMap.newKeySet();
    private final Set<String> timedOut = ConcurrentHashMap.newKeySet();
    private final Map<Thread, ScheduledFuture<?>> deadlines = new ConcurrentHashMap<>();
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

    void started(String jobId) {
        Thread worker = Thread.currentThread();
        running.put(worker, jobId);
        deadlines.put(worker, timer.schedule(() -> {
            if (jobId.equals(running.get(worker))) {
                timedOut.add(jobId);
                worker.interrupt();
            }
        }, jobTimeout.toMillis(), TimeUnit.MILLISECONDS));
    }

    boolean wasTimedOut(String jobId) {
        return timedOut.contains(jobId);
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
        ScheduledFuture<?> deadline = deadlines.remove(Thread.currentThread());
        if (deadline != null) {
            deadline.cancel(false);
        }
        String jobId = running.remove(Thread.currentThread());
        if (jobId != null) {
            canceled.remove(jobId);
            timedOut.remove(jobId);
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
            timer.shutdownNow();
            return 0;
        }
        int interrupted = running.size();
        running.keySet().forEach(Thread::interrupt);
        awaitIdle(Duration.ofSeconds(10));
        timer.shutdownNow();
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
