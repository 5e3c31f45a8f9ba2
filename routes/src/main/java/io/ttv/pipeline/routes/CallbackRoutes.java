package io.ttv.pipeline.routes;

import io.ttv.pipeline.callback.CallbackDeadLetters;
import io.ttv.pipeline.callback.CallbackDelivery;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;

/**
 * Delivers job events to the job's {@code callback_url} from an in-memory outbox, off the job's thread, so that a
 * slow or failing receiver never blocks or fails a job. Non-2xx answers are redelivered with backoff; a callback
 * still failing then is recorded in Redis as a dead letter ({@link CallbackDeadLetters}) for the console to replay.
 */
public class CallbackRoutes extends RouteBuilder {
    private final CallbackDelivery delivery;
    private final int timeoutMs;
    private final CallbackDeadLetters deadLetters;

    public CallbackRoutes(CallbackDelivery delivery, int timeoutMs, CallbackDeadLetters deadLetters) {
        this.delivery = delivery;
        this.timeoutMs = timeoutMs;
        this.deadLetters = deadLetters;
    }

    static final String DEAD_LETTERS = "direct:callbacks-dead-letter";

    @Override
    public void configure() {
        from(DEAD_LETTERS).routeId("callbacks-dead-letter").bean(deadLetters, "record");
        from(Endpoints.CALLBACKS + "?concurrentConsumers=2&size=10000").routeId("callbacks-deliver")
                .errorHandler(deadLetterChannel(DEAD_LETTERS).useOriginalMessage()
                        .maximumRedeliveries(3).redeliveryDelay(1000)
                        .backOffMultiplier(2).useExponentialBackOff()
                        .retryAttemptedLogLevel(LoggingLevel.WARN).logExhaustedMessageHistory(false))
                .bean(delivery, "prepare")
                .filter(exchangeProperty(CallbackDelivery.TARGET).isNotNull())
                .to("vertx-http:http://callback-target?timeout=" + timeoutMs)
                .log("Callback ${header.webhook-id} delivered to ${exchangeProperty.TtvCallbackTarget}");
    }
}
