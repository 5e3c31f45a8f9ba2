package io.ttv.pipeline.callbacks;

import io.ttv.pipeline.core.flow.JobHeaders;

import io.ttv.pipeline.core.config.RetrySchedule;
import io.ttv.pipeline.core.redis.CallbackDeadLetters;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ttv.pipeline.core.domain.CallbackTargets;
import io.ttv.pipeline.core.domain.JobView;
import io.ttv.pipeline.core.domain.Timestamps;
import io.ttv.pipeline.core.metrics.PipelineMetrics;
import io.ttv.pipeline.core.redis.JobStore;
import org.apache.camel.Exchange;
import org.apache.camel.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Delivers one job event to the job's {@code callback_url}: a Standard Webhooks POST, attempted on the
 * {@link RetrySchedule} until the receiver answers 2xx, answers 410 Gone (stop at once), or the schedule runs out
 * (dead letter, {@code callbacks_dead_lettered_total}, one WARN line). Nothing here waits for a receiver on a
 * caller's thread: requests are asynchronous, retries are timers. Every attempt re-checks the target's addresses
 * (DNS may have changed since submit), is signed afresh with the same {@code webhook-id}, is bounded by the
 * per-attempt timeout, does not follow redirects, and is written to the job's log.
 */
public class CallbackDelivery implements Service {
    private static final Logger LOG = LoggerFactory.getLogger(CallbackDelivery.class);
    static final String USER_AGENT = "ttv-pipeline-callbacks";

    private final JobStore jobs;
    private final ObjectMapper mapper;
    private final WebhookSigner signer;
    private final boolean allowPrivate;
    private final Duration timeout;
    private final RetrySchedule schedule;
    private final CallbackDeadLetters deadLetters;
    private final PipelineMetrics metrics;
    private final CallbackTargets.Resolver resolver;
    private final HttpClient http;
    private final ScheduledExecutorService timers;

    /**
     * @param metrics  null to record no metrics
     * @param resolver how target names are resolved for the delivery-time address check
     */
    public CallbackDelivery(JobStore jobs, ObjectMapper mapper, String secret, boolean allowPrivate, Duration timeout,
                            RetrySchedule schedule, CallbackDeadLetters deadLetters, PipelineMetrics metrics,
                            CallbackTargets.Resolver resolver) {
        this.jobs = jobs;
        this.mapper = mapper;
        this.signer = secret == null || secret.isEmpty() ? null : new WebhookSigner(secret);
        this.allowPrivate = allowPrivate;
        this.timeout = timeout;
        this.schedule = schedule;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.resolver = resolver;
        this.http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(timeout)
                .build();
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ttv-callback-retries");
            t.setDaemon(true);
            return t;
        });
    }

    /** One message: its body and id are fixed at the first attempt and kept by every retry. */
    record Message(String jobId, String event, URI target, String webhookId, byte[] body) {
    }

    /** The route's step: starts delivering the exchange's job event ({@link JobHeaders#CALLBACK_EVENT}). */
    public void submit(Exchange exchange) throws Exception {
        String id = exchange.getProperty(JobHeaders.JOB_ID, String.class);
        String event = exchange.getMessage().getHeader(JobHeaders.CALLBACK_EVENT, String.class);
        if (id != null && event != null) {
            deliver(id, event);
        }
    }

    /**
     * Starts delivering {@code event} of job {@code id}, unless the job has no callback or has not subscribed to the
     * event. Returns at once; the first attempt is already under way when it returns true.
     */
    public boolean deliver(String id, String event) throws Exception {
        Map<String, String> job = jobs.get(id);
        if (job == null || job.get("callback_url") == null) {
            return false;
        }
        List<String> events = Arrays.asList(job.getOrDefault("callback_events", "").split(","));
        if (!events.contains(event)) {
            return false;
        }
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("type", "job." + event);
        envelope.put("timestamp", Timestamps.now());
        envelope.put("data", JobView.of(job, mapper));
        // One id per event of a job (progress: per percentage), so that a receiver can drop duplicates, replays too.
        String webhookId = "msg_" + id + "_" + event
                + ("progress".equals(event) ? "_" + job.getOrDefault("progress", "0") : "");
        Message m = new Message(id, event, URI.create(job.get("callback_url")), webhookId,
                mapper.writeValueAsBytes(envelope));
        attempt(m, 1);
        return true;
    }

    private void attempt(Message m, int attempt) {
        if (!allowPrivate) {
            String refusal = CallbackTargets.refusal(m.target().getHost(), resolver);
            if (refusal != null) {
                // Not retried: the address check is the guard, and a retry would only ask again.
                log(m.jobId(), "callback " + m.event() + " refused at attempt " + attempt + ": " + refusal);
                LOG.warn("Callback {} of job {} not sent: {}", m.event(), m.jobId(), refusal);
                return;
            }
        }
        long now = System.currentTimeMillis() / 1000;
        HttpRequest.Builder req = HttpRequest.newBuilder(m.target())
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", USER_AGENT)
                .header("webhook-id", m.webhookId())
                .header("webhook-timestamp", Long.toString(now))
                .POST(HttpRequest.BodyPublishers.ofByteArray(m.body()));
        if (signer != null) {
            req.header("webhook-signature", signer.sign(m.webhookId(), now, m.body()));
        }
        long start = System.nanoTime();
        try {
            http.sendAsync(req.build(), HttpResponse.BodyHandlers.discarding())
                    .whenComplete((response, error) -> settle(m, attempt, start,
                            response == null ? -1 : response.statusCode(), error));
        } catch (RuntimeException e) {
            settle(m, attempt, start, -1, e);
        }
    }

    private void settle(Message m, int attempt, long startNanos, int status, Throwable error) {
        long ms = (System.nanoTime() - startNanos) / 1_000_000;
        String what = "callback " + m.event() + " attempt " + attempt + ": ";
        if (status >= 200 && status < 300) {
            log(m.jobId(), what + status + " in " + ms + " ms");
            LOG.info("Callback {} delivered to {}://{} ({} in {} ms, attempt {})", m.webhookId(),
                    m.target().getScheme(), m.target().getHost(), status, ms, attempt);
            return;
        }
        if (status == 410) {
            log(m.jobId(), what + "410 in " + ms + " ms: receiver gone, not retried");
            LOG.info("Callback {} answered 410 Gone: not retried", m.webhookId());
            return;
        }
        String failure = status > 0 ? "HTTP " + status : describe(error);
        java.time.Duration delay;
        try {
            delay = schedule.delayAfter(attempt, ThreadLocalRandom.current()::nextDouble);
        } catch (RuntimeException e) {
            delay = null;
        }
        if (delay != null) {
            log(m.jobId(), what + failure + " in " + ms + " ms, next attempt in " + delay.toMillis() + " ms");
            try {
                timers.schedule(() -> attempt(m, attempt + 1), delay.toMillis(), TimeUnit.MILLISECONDS);
                return;
            } catch (RuntimeException stopped) {
                failure = failure + " (node stopping: retries abandoned)";
            }
        } else {
            log(m.jobId(), what + failure + " in " + ms + " ms, giving up");
        }
        try {
            deadLetters.record(m.jobId(), m.event(), m.target().toString(), failure, attempt); // logs the WARN line
        } catch (RuntimeException e) {
            LOG.warn("Callback {} of job {} given up ({}) and not dead-lettered: {}", m.event(), m.jobId(), failure,
                    e.getMessage());
        }
        if (metrics != null) {
            metrics.callbackDeadLettered();
        }
    }

    private static String describe(Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (e == null) {
            return "no response";
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    /** The delivery log is best effort: a Redis hiccup must not stop a delivery. */
    private void log(String jobId, String line) {
        try {
            jobs.log(jobId, line);
        } catch (RuntimeException e) {
            LOG.debug("Job {}: callback log line not recorded: {}", jobId, e.getMessage());
        }
    }

    @Override
    public void start() {
    }

    /** Abandons pending retries (they are in memory, like the outbox). */
    @Override
    public void stop() {
        timers.shutdownNow();
    }
}
