package io.ttv.pipeline.routes;

import io.ttv.pipeline.callback.CallbackDeadLetters;
import io.ttv.pipeline.callback.CallbackDelivery;
import org.apache.camel.builder.RouteBuilder;

/**
 * Takes job events off the in-memory outbox and hands them to {@link CallbackDelivery}, off the job's thread, so
 * that a slow or failing receiver never blocks or fails a job. Delivery is asynchronous: its attempts, retries on
 * the configured schedule and dead letters ({@link CallbackDeadLetters}) happen without holding a consumer.
 */
public class CallbackRoutes extends RouteBuilder {
    private final CallbackDelivery delivery;

    public CallbackRoutes(CallbackDelivery delivery) {
        this.delivery = delivery;
    }

    @Override
    public void configure() throws Exception {
        getContext().addService(delivery, true, true);
        from(Endpoints.CALLBACKS + "?concurrentConsumers=2&size=10000").routeId("callbacks-deliver")
                .bean(delivery, "submit");
    }
}
