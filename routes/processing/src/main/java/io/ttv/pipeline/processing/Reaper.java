package io.ttv.pipeline.processing;

import io.ttv.pipeline.core.metrics.PipelineMetrics;
import io.ttv.pipeline.core.redis.JobStore;
import io.ttv.pipeline.core.redis.RequeueResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Recovers the jobs of workers that died: one node at a time (a lease in Redis) finds workers whose heartbeat
 * expired and gives their jobs back to the queue, or fails those that used up their attempts.
 */
public class Reaper {
    private static final Logger LOG = LoggerFactory.getLogger(Reaper.class);

    private final JobStore jobs;
    private final PipelineMetrics metrics;
    private final String nodeId;
    private final Duration heartbeatTtl;
    private final int maxAttempts;
    private Set<String> suspects = Set.of();

    public Reaper(JobStore jobs, PipelineMetrics metrics, String nodeId, Duration heartbeatTtl, int maxAttempts) {
        this.jobs = jobs;
        this.metrics = metrics;
        this.nodeId = nodeId;
        this.heartbeatTtl = heartbeatTtl;
        this.maxAttempts = maxAttempts;
    }

    /**
     * Gives back jobs in this worker's own processing list that it no longer runs: their end could not be recorded
     * (Redis went away mid-way), and no reaper would find them while this worker's heartbeat lives. An id must look
     * orphaned on two passes in a row, so a job claimed a moment ago, or released a moment from now, is never taken.
     * Returns the ids of jobs it failed (their callbacks are due).
     */
    public synchronized List<String> reclaimOrphans(Predicate<String> runningHere) {
        Set<String> orphanedNow = new HashSet<>();
        for (String id : jobs.processing(nodeId)) {
            if (!runningHere.test(id)) {
                orphanedNow.add(id);
            }
        }
        Set<String> confirmed = new HashSet<>(orphanedNow);
        confirmed.retainAll(suspects);
        orphanedNow.removeAll(confirmed);
        suspects = orphanedNow;
        if (confirmed.isEmpty()) {
            return List.of();
        }
        RequeueResult r = jobs.giveBack(nodeId, maxAttempts, confirmed);
        LOG.warn("{} job(s) of this worker had no recorded end: {} requeued, {} failed after {} attempts",
                confirmed.size(), r.requeued(), r.failed().size(), maxAttempts);
        metrics.jobsLost(r.failed().size());
        return r.failed();
    }

    /** One pass; returns the ids of jobs it failed (their callbacks are due). */
    public List<String> reap() {
        if (!jobs.lease(jobs.keys().reaperLock(), nodeId, heartbeatTtl.multipliedBy(3))) {
            return List.of();
        }
        List<String> failed = new ArrayList<>();
        for (String worker : jobs.deadWorkers(heartbeatTtl)) {
            RequeueResult r = jobs.requeue(worker, maxAttempts);
            jobs.removeWorker(worker);
            LOG.warn("Worker {} lost its heartbeat: {} job(s) requeued, {} failed after {} attempts",
                    worker, r.requeued(), r.failed().size(), maxAttempts);
            metrics.jobsLost(r.failed().size());
            failed.addAll(r.failed());
        }
        return failed;
    }
}
