package io.ttv.pipeline.callbacks;

import io.ttv.pipeline.core.flow.CallbackEndpoints;
import io.ttv.pipeline.core.flow.JobHeaders;
import io.ttv.pipeline.core.flow.RedisOutageConfiguration;
import io.ttv.pipeline.core.redis.CallbackQueue;
import io.ttv.pipeline.core.tracing.JobTrace;
import org.apache.camel.builder.RouteBuilder;

import java.time.Duration;

/**
 * Callback delivery, off the jobs' threads, so that a slow or failing receiver never blocks or fails a job. The
 * deliveries wait in Redis ({@link CallbackQueue}); these routes claim them and make one attempt per claim:
 * <ul>
 *   <li>{@code callbacks-deliver}: the events this node's outbox has just queued, handed over in memory, get their
 *       first attempt at once;</li>
 *   <li>{@code callbacks-due} (every {@link #POLL_INTERVAL}, on every node): claims the deliveries that are due —
 *       retries, and first attempts whose hand-off was lost or is late — as many as {@code callbacks-retry} has free
 *       consumers, and hands them to it;</li>
 *   <li>{@code callbacks-attempt}: fixes the message (first attempt), checks the target, POSTs, then acknowledges
 *       (2xx, 410, refused), schedules the next attempt of the retry schedule, or dead-letters.</li>
 * </ul>
 * A Redis outage pauses the routes ({@link RedisOutageConfiguration}); a delivery whose attempt was cut short stays
 * claimed until its lease ends, then any node takes it again. When the flow is removed, its entry routes
 * ({@code callbacks-deliver}, {@code callbacks-due}) stop taking work and the attempts already claimed finish; events
 * still in the in-memory outbox wait there for the next version, and in any case in Redis for any node.
 */
public class CallbackRoutes extends RouteBuilder {
    /** How often every node looks for due deliveries. */
    static final Duration POLL_INTERVAL = Duration.ofMillis(500);
    static final String ATTEMPT = "direct:callbacks-attempt";
    /**
     * The due deliveries this node has claimed, for {@code callbacks-retry}. One URI for the producer and the
     * consumer: the core tells the flow's entry routes (suspended first on removal) from its inner ones by it.
     */
    static final String RETRIES = "seda:callbacks-retries?concurrentConsumers=" + CallbackDelivery.SLOTS;

    private final CallbackDelivery delivery;
    private final JobTrace trace;

    public CallbackRoutes(CallbackDelivery delivery, JobTrace trace) {
        this.delivery = delivery;
        this.trace = trace;
    }

    @Override
    public void configure() {
        from(CallbackEndpoints.OUTBOX + "?concurrentConsumers=4&size=10000").routeId("callbacks-deliver")
                .routeConfigurationId(RedisOutageConfiguration.REDIS_OUTAGE)
                .bean(delivery, "claimHandedOff")
                .filter(body().isNotNull())
                    .bean(trace, "joinJob")
                    .to(ATTEMPT)
                .end();

        from("timer:callbacks-due?delay=" + POLL_INTERVAL.toMillis() + "&period=" + POLL_INTERVAL.toMillis())
                .routeId("callbacks-due")
                .routeConfigurationId(RedisOutageConfiguration.REDIS_OUTAGE)
                .bean(delivery, "claimDue")
                .split(body())
                    .to(RETRIES)
                .end();

        from(RETRIES).routeId("callbacks-retry")
                .routeConfigurationId(RedisOutageConfiguration.REDIS_OUTAGE)
                .setProperty(JobHeaders.JOB_ID, method(delivery, "jobIdOf"))
                .doTry()
                    .bean(trace, "joinJob")
                    .to(ATTEMPT)
                .doFinally()
                    .bean(delivery, "freeSlot")
                .end();

        from(ATTEMPT).routeId("callbacks-attempt")
                .routeConfigurationId(RedisOutageConfiguration.REDIS_OUTAGE)
                .bean(delivery, "prepare")
                .filter(header(CallbackDelivery.OUTCOME).isNull())
                    .bean(delivery, "post")
                .end()
                .choice()
                    .when(method(delivery, "ended"))
                        .bean(delivery, "acknowledge")
                    .when(method(delivery, "retryLeft"))
                        .bean(delivery, "scheduleRetry")
                    .otherwise()
                        .bean(delivery, "deadLetter")
                .end();
    }
}
