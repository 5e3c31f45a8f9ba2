package io.ttv.pipeline.routes;

import io.ttv.pipeline.metrics.PipelineMetrics;
import io.ttv.pipeline.store.JobStore;
import io.ttv.pipeline.store.RedisKeys;
import io.ttv.pipeline.store.RequeueResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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

    public Reaper(JobStore jobs, PipelineMetrics metrics, String nodeId, Duration heartbeatTtl, int maxAttempts) {
        this.jobs = jobs;
        this.metrics = metrics;
        this.nodeId = nodeId;
        this.heartbeatTtl = heartbeatTtl;
        this.maxAttempts = maxAttempts;
    }

    /** One pass; returns the ids of jobs it failed (their callbacks are due). */
    public List<String> reap() {
        if (!jobs.lease(RedisKeys.REAPER_LOCK, nodeId, heartbeatTtl.multipliedBy(3))) {
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
