package io.ttv.pipeline.core.callback;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/** At most one {@code progress} event per job per interval; a job's entry is dropped when the job ends. */
public final class ProgressThrottle {
    private final long intervalNanos;
    private final LongSupplier clock;
    private final ConcurrentHashMap<String, Long> last = new ConcurrentHashMap<>();

    /** @param clock nanoseconds, {@code System::nanoTime} outside tests */
    public ProgressThrottle(Duration interval, LongSupplier clock) {
        this.intervalNanos = interval.toNanos();
        this.clock = clock;
    }

    /** True when a progress event of this job may go now (and counts it as sent). */
    public boolean allow(String jobId) {
        long now = clock.getAsLong();
        boolean[] allowed = {false};
        last.compute(jobId, (k, previous) -> {
            if (previous == null || now - previous >= intervalNanos) {
                allowed[0] = true;
                return now;
            }
            return previous;
        });
        return allowed[0];
    }

    public void forget(String jobId) {
        last.remove(jobId);
    }

    int tracked() {
        return last.size();
    }
}
