package io.ttv.pipeline.core.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.ttv.pipeline.core.flow.JobHeaders;
import io.ttv.pipeline.core.redis.JobStore;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Route steps that put a job's work into the job's trace, read from its hash ({@link Tracing#JOB_FIELD}), whichever
 * node runs it and however often: the worker's run of a claimed job, and every callback attempt. Nothing is read or
 * started when tracing is off, and a trace that cannot be read (Redis unavailable) never fails the work: it runs
 * untraced.
 */
public class JobTrace {
    private static final Logger LOG = LoggerFactory.getLogger(JobTrace.class);
    private final Tracing tracing;
    private final JobStore jobs;

    public JobTrace(Tracing tracing, JobStore jobs) {
        this.tracing = tracing;
        this.jobs = jobs;
    }

    /**
     * The job just claimed (the body: its id) is processed in a span of the queue hop, {@code process
     * rq:queue:default}, child of the job's queuing, ending when the claim's exchange completes; the routes the job
     * runs through are its children.
     */
    public void claimed(Exchange exchange) {
        if (!tracing.enabled()) {
            return;
        }
        String id = exchange.getMessage().getBody(String.class);
        Map<String, String> job = job(id);
        if (job == null) {
            return;
        }
        Span span = tracing.start("process " + Tracing.QUEUE, SpanKind.CONSUMER, job.get(Tracing.JOB_FIELD),
                Tracing.queueHop("process", id, job.get("generator")));
        tracing.join(exchange.getMessage(), span);
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                span.end();
            }
        });
    }

    /** The next endpoint of this exchange (a callback attempt of job {@link JobHeaders#JOB_ID}) joins the job's trace. */
    public void joinJob(Exchange exchange) {
        if (!tracing.enabled()) {
            return;
        }
        Map<String, String> job = job(exchange.getProperty(JobHeaders.JOB_ID, String.class));
        if (job != null) {
            tracing.join(exchange.getMessage(), job.get(Tracing.JOB_FIELD));
        }
    }

    private Map<String, String> job(String id) {
        try {
            return id == null ? null : jobs.get(id);
        } catch (RuntimeException e) {
            LOG.debug("Job {} runs untraced: its trace could not be read: {}", id, e.getMessage());
            return null;
        }
    }
}
