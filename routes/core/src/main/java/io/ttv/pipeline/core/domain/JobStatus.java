package io.ttv.pipeline.core.domain;

import java.util.Locale;

/** Job states (docs/architecture.md). {@code progress} is a state: the job is running and has reported progress. */
public enum JobStatus {
    QUEUED, STARTED, PROGRESS, FINISHED, FAILED, CANCELED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isTerminal() {
        return this == FINISHED || this == FAILED || this == CANCELED;
    }

    public static JobStatus fromWire(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }
}
