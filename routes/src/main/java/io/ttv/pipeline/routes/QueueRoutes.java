package io.ttv.pipeline.routes;

import io.ttv.pipeline.callback.CallbackOutbox;
import io.ttv.pipeline.store.JobStore;
import io.ttv.pipeline.store.RedisKeys;
import org.apache.camel.CamelContext;
import org.apache.camel.LoggingLevel;
import org.apache.camel.Route;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.support.service.ServiceHelper;
import org.springframework.dao.DataAccessException;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The worker side of the queue: {@code concurrency} claim loops, each moving one job at a time from
 * {@code rq:queue:default} into this worker's processing list (BLMOVE) and running it; the heartbeat; the
 * reaper that recovers the jobs of dead workers; and the cancel signals (Redis pub/sub) that abort running jobs.
 */
public class QueueRoutes extends RouteBuilder {
    /** How long one claim blocks on an empty queue (BLMOVE): also how long a stopping node waits for its claims. */
    static final Duration CLAIM_WAIT = Duration.ofMillis(250);
    private static final String CLAIM_ROUTE = "queue-claim-";
    /** Pause of a claim loop after Redis failed, so that an outage is not a busy loop. */
    static final Duration REDIS_RETRY = Duration.ofSeconds(1);
    /** Most due retries moved to the queue per second by one node. */
    static final int PROMOTE_BATCH = 100;

    private final JobStore jobs;
    private final Reaper reaper;
    private final String workerId;
    private final int concurrency;
    private final Duration heartbeatTtl;
    private final WorkerState state;
    private final CallbackOutbox outbox;
    /** Whether this worker's heartbeat has been written once: no claim before, so a crash is always found. */
    private volatile boolean registered;

    public QueueRoutes(JobStore jobs, Reaper reaper, WorkerState state, CallbackOutbox outbox, String workerId,
                       int concurrency, Duration heartbeatTtl) {
        this.state = state;
        this.outbox = outbox;
        this.jobs = jobs;
        this.reaper = reaper;
        this.workerId = workerId;
        this.concurrency = concurrency;
        this.heartbeatTtl = heartbeatTtl;
    }

    /**
     * Stops the claim loops' timers: no claim starts after this, while claims and jobs in flight go on. Done before
     * the context stops, so that Camel's graceful shutdown (which re-checks in-flight exchanges once a second)
     * finds no claim left.
     */
    public static void stopClaimTimers(CamelContext camel) {
        claimRoutes(camel).forEach(route -> ServiceHelper.stopService(route.getConsumer()));
    }

    /** Waits until no claim loop has an exchange in flight (a claim ends within {@link #CLAIM_WAIT}). */
    public static boolean awaitClaimsEnded(CamelContext camel, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Route> claims = claimRoutes(camel);
        while (claims.stream().anyMatch(r -> camel.getInflightRepository().size(r.getRouteId()) > 0)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
        return true;
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
                .onException(DataAccessException.class).handled(true)
                    .log(LoggingLevel.WARN, "Heartbeat not renewed, Redis unavailable: ${exception.message}")
                .end()
                .process(e -> {
                    heartbeat();
                    reaper.reclaimOrphans(state::isRunning).forEach(id -> outbox.publish(id, "failed"));
                });

        from("timer:queue-reaper?delay=" + heartbeatTtl.toMillis() + "&period=" + heartbeatTtl.toMillis())
                .routeId("queue-reaper")
                .onException(DataAccessException.class).handled(true)
                    .log(LoggingLevel.WARN, "Reaper skipped a pass, Redis unavailable: ${exception.message}")
                .end()
                .process(e -> reaper.reap().forEach(id -> outbox.publish(id, "failed")));

        from("timer:queue-retries?delay=1000&period=1000").routeId("queue-retries")
                .onException(DataAccessException.class).handled(true)
                    .log(LoggingLevel.WARN, "Due retries not moved, Redis unavailable: ${exception.message}")
                .end()
                .process(e -> jobs.promoteDueRetries(PROMOTE_BATCH));

        from("spring-redis://{{redis.host}}:{{redis.port}}?command=SUBSCRIBE&channels=" + RedisKeys.CANCEL_CHANNEL
                + "&connectionFactory=#redisConnectionFactory&serializer=#redisStringSerializer")
                .routeId("queue-cancel-signals")
                .filter(method(state, "cancel"))
                .log("Job ${body} canceled: aborting its work on this node");

        for (int slot = 1; slot <= concurrency; slot++) {
            // A timer tick is synchronous: the next claim starts only when this slot's job has ended.
            from("timer:" + CLAIM_ROUTE + slot + "?delay=0&period=1").routeId(CLAIM_ROUTE + slot)
                    .onException(DataAccessException.class).handled(true)
                        .log(LoggingLevel.WARN, "Cannot claim jobs, Redis unavailable: ${exception.message}")
                        .delay(REDIS_RETRY.toMillis()).end()
                    .end()
                    .setProperty(Endpoints.WORKER_ID, constant(workerId))
                    .process(e -> e.getMessage().setBody(claim()))
                    .filter(body().isNotNull())
                    .to(Endpoints.PROCESS_JOB);
        }
    }
}
