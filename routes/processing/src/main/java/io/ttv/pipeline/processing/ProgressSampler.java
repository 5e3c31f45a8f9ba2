package io.ttv.pipeline.processing;

import java.time.Duration;

/**
 * Which of one render's progress reports are written to the job: a report {@link #STEP} points above the last one
 * written, or any rise once {@link #INTERVAL} has passed since then. A generator may report every frame or every
 * poll; a client polling the job, or long-polling it, sees no difference, and each write costs a Redis call and a
 * job-events publish.
 */
final class ProgressSampler {
    static final int STEP = 10;
    static final Duration INTERVAL = Duration.ofSeconds(1);

    private int written;
    private long writtenAt;

    /** @param startNanos when the render began ({@link System#nanoTime()}); progress then was 0 */
    ProgressSampler(long startNanos) {
        this.writtenAt = startNanos;
    }

    /** True when {@code percent}, reported at {@code nowNanos}, should be written (and counts it as written). */
    boolean worthWriting(int percent, long nowNanos) {
        if (percent <= written || (percent - written < STEP && nowNanos - writtenAt < INTERVAL.toNanos())) {
            return false;
        }
        written = percent;
        writtenAt = nowNanos;
        return true;
    }
}
