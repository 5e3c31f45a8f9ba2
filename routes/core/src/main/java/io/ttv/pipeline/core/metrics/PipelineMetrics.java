package io.ttv.pipeline.core.metrics;

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
import io.ttv.pipeline.core.redis.JobStore;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The node's Prometheus registry and the product metrics of docs/operations.md (names from the operations guide).
 * JVM binders are bound here because Micrometer's binder discovery does not work inside OSGi.
 * <p>
 * The fleet gauges ({@code redis_queue_depth}, {@code jobs_queued_total}, {@code jobs_processing_total},
 * {@code redis_connected_clients}, {@code redis_used_memory_bytes}) come from one {@link RedisSample} per scrape
 * (two round trips, cached for {@link RedisSample#MAX_AGE}); when Redis cannot be asked they are {@code NaN} and the
 * scrape still succeeds. Micrometer's Prometheus client refuses a gauge whose name ends in {@code _total}, so the two
 * gauges the guide names {@code jobs_*_total} are written by {@link #scrape()} itself, typed {@code gauge}.
 */
public class PipelineMetrics implements AutoCloseable {
    /** Latency buckets from 5 ms to 10 s, so that histogram_quantile is meaningful across that range. */
    private static final Duration[] HTTP_BUCKETS = Stream.of(5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000)
            .map(Duration::ofMillis).toArray(Duration[]::new);
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    private final AtomicInteger activeJobs = new AtomicInteger();
    /** The path Prometheus scrapes, on every node. */
    static final String METRICS_PATH = "/metrics";
    /** Keyed by "method path status"; bounded because paths are route templates. */
    private final ConcurrentMap<String, HttpMeters> httpMeters = new ConcurrentHashMap<>();
    private final Counter jobsTotal;
    private final Counter jobsCompleted;
    private final Counter jobsFailed;
    private final Counter callbacksDeadLettered;
    private final Timer jobDuration;
    private final Timer uploadDuration;
    private final RedisSample redis;

    /** With the default heartbeat lifetime (30 s): a worker seen in the last 30 s is live. */
    public PipelineMetrics(JobStore jobs) {
        this(jobs, Duration.ofSeconds(30));
    }

    /** @param heartbeatTtl how long after its last heartbeat a worker still counts as live */
    public PipelineMetrics(JobStore jobs, Duration heartbeatTtl) {
        redis = new RedisSample(jobs, heartbeatTtl);
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);

        jobsTotal = Counter.builder("jobs").description("Jobs accepted by this node").register(registry);
        jobsCompleted = Counter.builder("jobs_completed").description("Jobs finished by this node").register(registry);
        jobsFailed = Counter.builder("jobs_failed").description("Jobs failed on this node").register(registry);
        callbacksDeadLettered = Counter.builder("callbacks_dead_lettered")
                .description("Callbacks given up on after their last attempt (dead-lettered)").register(registry);
        jobDuration = Timer.builder("job_duration").description("Time from claim to terminal state")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(100))
                .maximumExpectedValue(Duration.ofHours(1)).register(registry);
        uploadDuration = Timer.builder("gcs_upload_duration").description("Time to upload a job's artifacts")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(10))
                .maximumExpectedValue(Duration.ofMinutes(10)).register(registry);
        Gauge.builder("worker_active_jobs", activeJobs, AtomicInteger::get)
                .description("Jobs running on this node").register(registry);
        Gauge.builder("redis_queue_depth", redis, r -> r.get().queued()).tag("queue", "default")
                .description("Jobs waiting in the Redis queue").register(registry);
        Gauge.builder("redis_connected_clients", redis, r -> r.get().connectedClients())
                .description("Clients connected to Redis (INFO clients)").register(registry);
        Gauge.builder("redis_used_memory", redis, r -> r.get().usedMemoryBytes()).baseUnit("bytes")
                .description("Memory used by Redis (INFO memory used_memory)").register(registry);
        // The HTTP meters the alerts and dashboards read exist from the first scrape at 0, not from the first request
        // (an error rate over absent series is "no data", not 0): those of the scrape itself, answered and failed.
        for (String status : List.of("200", "500")) {
            httpMeters.computeIfAbsent(httpKey("GET", METRICS_PATH, status), key -> httpMeters("GET", METRICS_PATH, status));
        }
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition (format 0.0.4) of every metric, the {@code jobs_*_total} gauges included. */
    public String scrape() {
        RedisSample.Values v = redis.get();
        StringBuilder text = new StringBuilder(registry.scrape());
        gauge(text, "jobs_queued_total", "Jobs waiting in the queue (LLEN rq:queue:default); a gauge", v.queued());
        gauge(text, "jobs_processing_total", "Jobs running across the fleet (processing lists of live workers); "
                + "a gauge", v.processing());
        return text.toString();
    }

    private static void gauge(StringBuilder text, String name, String help, double value) {
        text.append("# HELP ").append(name).append(' ').append(help).append('\n');
        text.append("# TYPE ").append(name).append(" gauge\n");
        text.append(name).append(' ').append(Double.isNaN(value) ? "NaN" : Double.toString(value)).append('\n');
    }

    public void callbackDeadLettered() {
        callbacksDeadLettered.increment();
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

    /** One HTTP answer; {@code path} is the route template, so the label set stays bounded. */
    public void httpRequest(String method, String path, int status, long nanos) {
        HttpMeters meters = httpMeters.computeIfAbsent(httpKey(method, path, Integer.toString(status)),
                key -> httpMeters(method, path, Integer.toString(status)));
        meters.requests().increment();
        if (meters.errors() != null) {
            meters.errors().increment();
        }
        meters.duration().record(nanos, TimeUnit.NANOSECONDS);
    }

    private static String httpKey(String method, String path, String status) {
        return method + ' ' + path + ' ' + status;
    }

    /** The meters of one method, route template and status; looked up once, not built on every request. */
    private record HttpMeters(Counter requests, Counter errors, Timer duration) {
    }

    private HttpMeters httpMeters(String method, String path, String status) {
        Counter requests = Counter.builder("http_requests").description("HTTP requests answered")
                .tags("method", method, "path", path, "status", status).register(registry);
        Counter errors = status.charAt(0) < '4' ? null
                : Counter.builder("http_requests_errors").description("HTTP requests answered with a 4xx or 5xx status")
                .tags("method", method, "path", path, "status", status).register(registry);
        Timer duration = Timer.builder("http_request_duration").description("Time to answer an HTTP request")
                .serviceLevelObjectives(HTTP_BUCKETS).tags("method", method, "path", path, "status", status)
                .register(registry);
        return new HttpMeters(requests, errors, duration);
    }

    /** {@code api_active_connections}: open HTTP connections of this node. */
    public void activeConnections(Supplier<Integer> open) {
        Gauge.builder("api_active_connections", open, s -> s.get()).description("Open HTTP connections")
                .register(registry);
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
