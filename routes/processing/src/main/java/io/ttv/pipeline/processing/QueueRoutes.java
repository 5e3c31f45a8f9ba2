package io.ttv.pipeline.processing;

import io.ttv.pipeline.core.flow.RedisOutageConfiguration;

import io.ttv.pipeline.core.callback.CallbackOutbox;
import io.ttv.pipeline.core.redis.JobStore;
import io.ttv.pipeline.core.redis.RedisKeys;
import io.ttv.pipeline.core.flow.Drainable;
import io.ttv.pipeline.core.redis.RequeueResult;
import io.ttv.pipeline.core.tracing.JobTrace;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The worker side of the queue: {@code concurrency} claim loops, each moving one job at a time from
 * {@code rq:queue:default} into this worker's processing list (BLMOVE) and running it; the heartbeat; the
 * reaper that recovers the jobs of dead workers; and the cancel signals (Redis pub/sub) that abort running jobs.
 */
public class QueueRoutes extends RouteBuilder implements Drainable {
    private static final Logger LOG = LoggerFactory.getLogger(QueueRoutes.class);
    /** How long a stopping worker waits for its claims in flight once its jobs ended. */
    static final Duration CLAIMS_END_TIMEOUT = Duration.ofSeconds(10);
    /** How long one claim blocks on an empty queue (BLMOVE): also how long a stopping node waits for its claims. */
    static final Duration CLAIM_WAIT = Duration.ofMillis(250);
    private static final String CLAIM_ROUTE = "queue-claim-";
    /** Most due retries moved to the queue per second by one node. */
    static final int PROMOTE_BATCH = 100;

    private final JobStore jobs;
    private final Reaper reaper;
    private final String workerId;
    private final int concurrency;
    private final Duration heartbeatTtl;
    private final WorkerState state;
    private final CallbackOutbox outbox;
    private final Duration shutdownGrace;
    private final JobTrace trace;
    /** Whether this worker's heartbeat has been written once: no claim before, so a crash is always found. */
    private volatile boolean registered;

    public QueueRoutes(JobStore jobs, Reaper reaper, WorkerState state, CallbackOutbox outbox, String workerId,
                       int concurrency, Duration heartbeatTtl, Duration shutdownGrace, JobTrace trace) {
        this.trace = trace;
        this.shutdownGrace = shutdownGrace;
        this.state = state;
        this.outbox = outbox;
        this.jobs = jobs;
        this.reaper = reaper;
        this.workerId = workerId;
        this.concurrency = concurrency;
        this.heartbeatTtl = heartbeatTtl;
    }

    /**
     * The flow is being removed and its timers have stopped: no claim starts any more. Running jobs get the grace
     * period to finish; the rest are interrupted (neither failed nor acknowledged) and the claims in flight end.
     */
    @Override
    public void drain() throws InterruptedException {
        LOG.info("Stopping the worker: no new claims; running jobs get {} s to finish", shutdownGrace.toSeconds());
        int interrupted = state.stop(shutdownGrace);
        if (interrupted > 0) {
            LOG.info("{} running job(s) interrupted at the end of the grace period", interrupted);
        }
        awaitClaimsEnded(CLAIMS_END_TIMEOUT);
    }

    /** What did not finish within the grace period goes back to the queue; a stop is not a failed attempt. */
    @Override
    public void removed() {
        try {
            RequeueResult r = jobs.requeue(workerId, Integer.MAX_VALUE);
            jobs.removeWorker(workerId);
            LOG.info("Worker {} stopped: {} unfinished job(s) returned to the queue", workerId, r.requeued());
        } catch (RuntimeException e) {
            LOG.warn("Could not return the jobs of worker {} (the reaper will): {}", workerId, e.getMessage());
        }
    }

    /** Waits until no claim loop has an exchange in flight (a claim ends within {@link #CLAIM_WAIT}). */
    private void awaitClaimsEnded(Duration timeout) throws InterruptedException {
        CamelContext camel = getContext();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (claimRoutes(camel).stream().anyMatch(r -> camel.getInflightRepository().size(r.getRouteId()) > 0)) {
            if (System.nanoTime() > deadline) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
    }

    private static List<Route> claimRoutes(CamelContext camel) {
        return camel.getRoutes().stream().filter(r -> r.getRouteId().startsWith(CLAIM_ROUTE)).toList();
    }

    /** The next job id, or null; a stopping node claims nothing (and does not spin while it waits to stop). */
    private String claim() {
        if (state.isStopping()) {
            try {
                TimeUnit.MILLISECONDS.sleep(CLAIM_WAIT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the route is being stopped
            }
            return null;
        }
        if (!registered) {
            // A node may start while Redis is down: it claims nothing until the reaper can see it.
            heartbeat();
        }
        return jobs.claim(workerId, CLAIM_WAIT);
    }

    private void heartbeat() {
        jobs.heartbeat(workerId, heartbeatTtl);
        registered = true;
    }

    @Override
    public void configure() {
        from("timer:worker-heartbeat?delay=0&period=" + heartbeatTtl.toMillis() / 3).routeId("queue-heartbeat")
                .routeConfigurationId(RedisOutageConfiguration.REDIS_OUTAGE)
                .process(e -> {
                    heartbeat();
                    reaper.reclaimOrphans(state::isRunning).forEach(id -> outbox.publish(id, "failed"));
                });

        from("timer:queue-reaper?delay=" + heartbeatTtl.toMillis() + "&period=" + heartbeatTtl.toMillis())
                .routeId("queue-reaper")
                .routeConfigurationId(RedisOutageConfiguration.REDIS_OUTAGE)
                .process(e -> reaper.reap().forEach(id -> outbox.publish(id, "failed")));

        from("timer:queue-retries?delay=1000&period=1000").routeId("queue-retries")
                .routeConfigurationId(RedisOutageConfiguration.REDIS_OUTAGE)
                .process(e -> jobs.promoteDueRetries(PROMOTE_BATCH));

        from("spring-redis://{{redis.host}}:{{redis.port}}?command=SUBSCRIBE&channels=" + RedisKeys.CANCEL_CHANNEL
                + "&connectionFactory=#redisConnectionFactory&serializer=#redisStringSerializer")
                .routeId("queue-cancel-signals")
                .filter(method(state, "cancel"))
                .log("Job ${body} canceled: aborting its work on this node");

        for (int slot = 1; slot <= concurrency; slot++) {
            // A timer tick is synchronous: the next claim starts only when this slot's job has ended.
            from("timer:" + CLAIM_ROUTE + slot + "?delay=0&period=1").routeId(CLAIM_ROUTE + slot)
                .routeConfigurationId(RedisOutageConfiguration.REDIS_OUTAGE)
                    .setProperty(ProcessingEndpoints.WORKER_ID, constant(workerId))
                    .process(e -> e.getMessage().setBody(claim()))
                    .filter(body().isNotNull())
                    .bean(trace, "claimed")
                    .to(ProcessingEndpoints.RUN_JOB);
        }
    }
}
