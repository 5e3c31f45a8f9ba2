package io.ttv.pipeline.core.callback;

import io.ttv.pipeline.core.domain.CallbackSubscription;
import io.ttv.pipeline.core.flow.CallbackEndpoints;
import io.ttv.pipeline.core.flow.JobHeaders;
import io.ttv.pipeline.core.redis.CallbackQueue;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.Processor;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;

/**
 * Queues the callback event of the current job step ({@link JobHeaders#CALLBACK_EVENT}; none when absent): first
 * durably, in Redis ({@link CallbackQueue}, only if the job subscribed to the event), then on the in-memory outbox
 * ({@link CallbackEndpoints#OUTBOX}) in a new exchange, so that this node's callbacks flow makes the first attempt at
 * once. The job's own exchange, and what runs when it completes, stay with the job. The in-memory hand-off may be
 * lost (a node stopped or swapped); the Redis entry is not, and any node delivers it once it is due. Progress events
 * are throttled per job ({@link #PROGRESS_INTERVAL}).
 */
public class CallbackOutbox implements Processor {
    private static final Logger LOG = LoggerFactory.getLogger(CallbackOutbox.class);
    /** At most one {@code job.progress} callback per job in this interval. */
    public static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(5);

    private final ProducerTemplate template;
    private final CallbackQueue queue;
    private final ProgressThrottle progress = new ProgressThrottle(PROGRESS_INTERVAL, System::nanoTime);

    public CallbackOutbox(CamelContext context, CallbackQueue queue) {
        this.template = context.createProducerTemplate();
        this.queue = queue;
    }

    /** A job's progress changed: queues a {@code progress} event unless one was queued in the last 5 s. */
    public void progress(String jobId) {
        if (progress.allow(jobId)) {
            publish(jobId, "progress");
        }
    }

    /**
     * Queues the event of the exchange's job step. When the exchange holds the job ({@link JobHeaders#JOB}), a job
     * that takes no such callback costs no Redis call.
     */
    @Override
    @SuppressWarnings("unchecked")
    public void process(Exchange exchange) {
        String jobId = exchange.getProperty(JobHeaders.JOB_ID, String.class);
        String event = exchange.getMessage().getHeader(JobHeaders.CALLBACK_EVENT, String.class);
        if (jobId == null || event == null) {
            return;
        }
        Map<String, String> job = exchange.getProperty(JobHeaders.JOB, Map.class);
        if (job != null && !CallbackSubscription.includes(job, event)) {
            forgetIfEnded(jobId, event);
            return;
        }
        publish(jobId, event);
    }

    /**
     * Queues {@code event} of job {@code jobId} if the job subscribed to it. Never throws: a job step must not fail
     * because its callback could not be queued (Redis unavailable: one WARN line).
     *
     * @return whether a delivery was queued
     */
    public boolean publish(String jobId, String event) {
        forgetIfEnded(jobId, event);
        String token;
        try {
            token = queue.enqueue(jobId, event);
        } catch (RuntimeException e) {
            LOG.warn("Callback {} of job {} not queued: {}", event, jobId, e.getMessage());
            return false;
        }
        if (token != null) {
            handOff(jobId, event, token);
        }
        return token != null;
    }

    private void forgetIfEnded(String jobId, String event) {
        if (!"progress".equals(event) && !"started".equals(event)) {
            progress.forget(jobId);
        }
    }

    /**
     * Queues {@code event} of job {@code jobId} again, whatever its subscription: an operator's replay of a dead
     * letter. Throws when it cannot be queued, so that the operator is told.
     */
    public void replay(String jobId, String event) {
        handOff(jobId, event, queue.enqueueReplay(jobId, event));
    }

    /** To this node's callbacks flow; if the hand-off fails (outbox full), the delivery is due for any node soon. */
    private void handOff(String jobId, String event, String token) {
        template.send(CallbackEndpoints.OUTBOX, ExchangePattern.InOnly, e -> {
            e.setProperty(JobHeaders.JOB_ID, jobId);
            e.getMessage().setHeader(JobHeaders.CALLBACK_EVENT, event);
            e.getMessage().setHeader(CallbackEndpoints.TOKEN, token);
        });
    }
}
