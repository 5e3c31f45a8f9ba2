package io.ttv.pipeline.routes;

import io.ttv.pipeline.callback.CallbackDelivery;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;

/**
 * Delivers job events to the job's {@code callback_url} from an in-memory outbox, off the job's thread, so that a
 * slow or failing receiver never blocks or fails a job. Non-2xx answers are redelivered with backoff.
 */
public class CallbackRoutes extends RouteBuilder {
    private final CallbackDelivery delivery;
    private final int timeoutMs;

    public CallbackRoutes(CallbackDelivery delivery, int timeoutMs) {
        this.delivery = delivery;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public void configure() {
        from(Endpoints.CALLBACKS + "?concurrentConsumers=2&size=10000").routeId("callbacks-deliver")
                .errorHandler(defaultErrorHandler().maximumRedeliveries(3).redeliveryDelay(1000)
                        .backOffMultiplier(2).useExponentialBackOff()
                        .retryAttemptedLogLevel(LoggingLevel.WARN).logExhaustedMessageHistory(false))
                .bean(delivery, "prepare")
                .filter(exchangeProperty(CallbackDelivery.TARGET).isNotNull())
                .to("vertx-http:http://callback-target?timeout=" + timeoutMs)
                .log("Callback ${header.webhook-id} delivered to ${exchangeProperty.TtvCallbackTarget}");
    }
}
