package io.ttv.pipeline.callbacks;

import io.ttv.pipeline.core.callback.CallbackOutbox;
import io.ttv.pipeline.core.tracing.JobTrace;
import io.ttv.pipeline.core.tracing.Tracing;
import io.ttv.pipeline.core.flow.CallbackEndpoints;
import io.ttv.pipeline.core.flow.JobHeaders;
import io.ttv.pipeline.core.flow.RedisOutageConfiguration;
import io.ttv.pipeline.core.redis.CallbackQueue;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * The callbacks flow of one node for the tests: a started CamelContext with {@link CallbackRoutes} over a
 * {@link CallbackDelivery}, and the node's {@link CallbackOutbox}.
 */
final class CallbackNode implements AutoCloseable {
    final CallbackDelivery delivery;
    final CallbackQueue queue;
    final DefaultCamelContext camel = new DefaultCamelContext();
    final CallbackOutbox outbox;
    private final ProducerTemplate template;

    CallbackNode(CallbackDelivery delivery, CallbackQueue queue) throws Exception {
        this.delivery = delivery;
        this.queue = queue;
        camel.addRoutes(new RedisOutageConfiguration());
        camel.addRoutes(new CallbackRoutes(delivery, new JobTrace(Tracing.off(), null)));
        camel.start();
        outbox = new CallbackOutbox(camel, queue);
        template = camel.createProducerTemplate();
    }

    /**
     * Queues {@code event} of job {@code id} as the outbox does and returns once this node's first attempt has
     * ended (the outbox hands over without waiting); false when the job takes no such callback.
     */
    boolean deliver(String id, String event) {
        String token = queue.enqueue(id, event);
        if (token == null) {
            return false;
        }
        Exchange done = template.send(CallbackEndpoints.OUTBOX, ExchangePattern.InOut, e -> {
            e.setProperty(JobHeaders.JOB_ID, id);
            e.getMessage().setHeader(JobHeaders.CALLBACK_EVENT, event);
            e.getMessage().setHeader(CallbackEndpoints.TOKEN, token);
        });
        if (done.getException() != null) {
            throw new IllegalStateException(done.getException());
        }
        return true;
    }

    void stop() {
        camel.stop();
    }

    @Override
    public void close() {
        stop();
    }
}
