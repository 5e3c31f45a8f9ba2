package io.ttv.pipeline.core.redis;

import io.ttv.pipeline.core.domain.JobStatus;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One state-machine write of a job and what goes with it in the same Redis call ({@code transition.lua}): the
 * progress, extra fields, the job log lines that record the move, the job leaving its worker's processing list, and
 * the job's fields returned to the caller. All but the move itself happen only when the move is applied.
 */
public final class Transition {
    final JobStatus target;
    Integer progress;
    final List<String> logLines = new ArrayList<>(2);
    final List<String> fields = new ArrayList<>();
    String acknowledgedBy;
    boolean returningJob;

    private Transition(JobStatus target) {
        this.target = target;
    }

    public static Transition to(JobStatus target) {
        return new Transition(target);
    }

    /** The new progress, kept only if higher than the stored one. */
    public Transition progress(Integer percent) {
        this.progress = percent;
        return this;
    }

    /** A line for the job's log. */
    public Transition log(String message) {
        logLines.add(message);
        return this;
    }

    /** Further fields written with the move (field, value, field, value …). */
    public Transition set(String... fieldValuePairs) {
        Collections.addAll(fields, fieldValuePairs);
        return this;
    }

    /** The job leaves {@code workerId}'s processing list: its end is settled (call only for a terminal move). */
    public Transition acknowledgedBy(String workerId) {
        this.acknowledgedBy = workerId;
        return this;
    }

    /** The result carries the job's fields as the move left them ({@link TransitionResult#job()}). */
    public Transition returningJob() {
        this.returningJob = true;
        return this;
    }
}
