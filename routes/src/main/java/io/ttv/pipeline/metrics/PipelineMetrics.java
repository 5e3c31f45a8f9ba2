package io.ttv.pipeline.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ttv.pipeline.store.JobStore;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node's Prometheus registry and the product metrics of SPEC §8 (names from the operations guide).
 * JVM binders are bound here because Micrometer's binder discovery does not work inside OSGi.
 */
public class PipelineMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    private final AtomicInteger activeJobs = new AtomicInteger();
    private final Counter jobsTotal;
    private final Counter jobsCompleted;
    private final Counter jobsFailed;
    private final Timer jobDuration;
    private final Timer uploadDuration;

    public PipelineMetrics(JobStore jobs) {
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);

        jobsTotal = Counter.builder("jobs").description("Jobs accepted by this node").register(registry);
        jobsCompleted = Counter.builder("jobs_completed").description("Jobs finished by this node").register(registry);
        jobsFailed = Counter.builder("jobs_failed").description("Jobs failed on this node").register(registry);
        jobDuration = Timer.builder("job_duration").description("Time from claim to terminal state")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(100))
                .maximumExpectedValue(Duration.ofHours(1)).register(registry);
        uploadDuration = Timer.builder("gcs_upload_duration").description("Time to upload a job's artifacts")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(10))
                .maximumExpectedValue(Duration.ofMinutes(10)).register(registry);
        Gauge.builder("worker_active_jobs", activeJobs, AtomicInteger::get)
                .description("Jobs running on this node").register(registry);
        Gauge.builder("redis_queue_depth", jobs, j -> {
            try {
                return j.queueDepth();
            } catch (RuntimeException e) {
                return Double.NaN;
            }
        }).tag("queue", "default").description("Jobs waiting in the Redis queue").register(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public String scrape() {
        return registry.scrape();
    }

    public void jobAccepted() {
        jobsTotal.increment();
    }

    public void jobStarted() {
        activeJobs.incrementAndGet();
    }

    /** A job this node ran reached {@code finished}, {@code failed} or {@code canceled}. */
    public void jobEnded(String outcome, Duration took) {
        activeJobs.decrementAndGet();
        switch (outcome) {
            case "finished" -> jobsCompleted.increment();
            case "failed" -> jobsFailed.increment();
            default -> {
            }
        }
        jobDuration.record(took);
    }

    /** A running job given back to the queue because the node stopped. */
    public void jobInterrupted() {
        activeJobs.decrementAndGet();
    }

    /** Jobs failed by the reaper because their attempts were used up. */
    public void jobsLost(int count) {
        jobsFailed.increment(count);
    }

    public void uploaded(Duration took) {
        uploadDuration.record(took);
    }

    @Override
    public void close() {
        gcMetrics.close();
        registry.close();
    }
}
