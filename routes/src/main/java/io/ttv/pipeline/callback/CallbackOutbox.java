package io.ttv.pipeline.callback;

import io.ttv.pipeline.routes.Endpoints;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.Processor;
import org.apache.camel.ProducerTemplate;

/**
 * Queues the callback event of the current job step ({@link Endpoints#CALLBACK_EVENT}; none when absent) on the
 * in-memory outbox, in a new exchange: the job's own exchange, and what runs when it completes, stay with the job.
 */
public class CallbackOutbox implements Processor {
    private final ProducerTemplate template;

    public CallbackOutbox(CamelContext context) {
        this.template = context.createProducerTemplate();
    }

    @Override
    public void process(Exchange exchange) {
        String jobId = exchange.getProperty(Endpoints.JOB_ID, String.class);
        String event = exchange.getMessage().getHeader(Endpoints.CALLBACK_EVENT, String.class);
        if (jobId != null && event != null) {
            publish(jobId, event);
        }
    }

    public void publish(String jobId, String event) {
        template.send(Endpoints.CALLBACKS, ExchangePattern.InOnly, e -> {
            e.setProperty(Endpoints.JOB_ID, jobId);
            e.getMessage().setHeader(Endpoints.CALLBACK_EVENT, event);
        });
    }
}
