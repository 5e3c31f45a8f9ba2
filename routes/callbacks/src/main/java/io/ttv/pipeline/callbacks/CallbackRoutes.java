package io.ttv.pipeline.callbacks;

import io.ttv.pipeline.core.flow.CallbackEndpoints;

import io.ttv.pipeline.core.redis.CallbackDeadLetters;
import io.ttv.pipeline.callbacks.CallbackDelivery;
import io.ttv.pipeline.core.flow.Drainable;
import org.apache.camel.builder.RouteBuilder;

/**
 * Takes job events off the in-memory outbox and hands them to {@link CallbackDelivery}, off the job's thread, so
 * that a slow or failing receiver never blocks or fails a job. Delivery is asynchronous: its attempts, retries on
 * the configured schedule and dead letters ({@link CallbackDeadLetters}) happen without holding a consumer.
 */
public class CallbackRoutes extends RouteBuilder implements Drainable {
    private final CallbackDelivery delivery;

    public CallbackRoutes(CallbackDelivery delivery) {
        this.delivery = delivery;
    }

    /** Stops the delivery's own threads once the route is gone (a new version brings its own). */
    @Override
    public void removed() {
        delivery.stop();
    }

    @Override
    public void configure() {
        from(CallbackEndpoints.OUTBOX + "?concurrentConsumers=2&size=10000").routeId("callbacks-deliver")
                .bean(delivery, "submit");
    }
}
