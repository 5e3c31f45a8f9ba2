package io.ttv.pipeline.core.callback;

import io.ttv.pipeline.core.flow.CallbackEndpoints;
import io.ttv.pipeline.core.flow.JobHeaders;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.Processor;
import org.apache.camel.ProducerTemplate;

import java.time.Duration;

/**
 * Queues the callback event of the current job step ({@link JobHeaders#CALLBACK_EVENT}; none when absent) on the
 * in-memory outbox, in a new exchange: the job's own exchange, and what runs when it completes, stay with the job.
 * Progress events are throttled per job ({@link #PROGRESS_INTERVAL}).
 */
public class CallbackOutbox implements Processor {
    /** At most one {@code job.progress} callback per job in this interval. */
    public static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(5);

    private final ProducerTemplate template;
    private final ProgressThrottle progress = new ProgressThrottle(PROGRESS_INTERVAL, System::nanoTime);

    public CallbackOutbox(CamelContext context) {
        this.template = context.createProducerTemplate();
    }

    /** A job's progress changed: queues a {@code progress} event unless one was queued in the last 5 s. */
    public void progress(String jobId) {
        if (progress.allow(jobId)) {
            publish(jobId, "progress");
        }
    }

    @Override
    public void process(Exchange exchange) {
        String jobId = exchange.getProperty(JobHeaders.JOB_ID, String.class);
        String event = exchange.getMessage().getHeader(JobHeaders.CALLBACK_EVENT, String.class);
        if (jobId != null && event != null) {
            publish(jobId, event);
        }
    }

    public void publish(String jobId, String event) {
        if (!"progress".equals(event) && !"started".equals(event)) {
            progress.forget(jobId); // the job ended
        }
        template.send(CallbackEndpoints.OUTBOX, ExchangePattern.InOnly, e -> {
            e.setProperty(JobHeaders.JOB_ID, jobId);
            e.getMessage().setHeader(JobHeaders.CALLBACK_EVENT, event);
        });
    }
}
