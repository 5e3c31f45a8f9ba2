package io.ttv.pipeline.callbacks;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.ttv.pipeline.core.config.RetrySchedule;
import io.ttv.pipeline.core.domain.CallbackSubscription;
import io.ttv.pipeline.core.domain.CallbackTargets;
import io.ttv.pipeline.core.domain.JobView;
import io.ttv.pipeline.core.domain.Timestamps;
import io.ttv.pipeline.core.flow.CallbackEndpoints;
import io.ttv.pipeline.core.flow.JobHeaders;
import io.ttv.pipeline.core.http.OutboundRequests;
import io.ttv.pipeline.core.metrics.PipelineMetrics;
import io.ttv.pipeline.core.redis.CallbackDeadLetters;
import io.ttv.pipeline.core.redis.CallbackQueue;
import io.ttv.pipeline.core.redis.CallbackQueue.Delivery;
import io.ttv.pipeline.core.redis.JobStore;
import io.ttv.pipeline.core.redis.RedisKeys;
import io.ttv.pipeline.core.tracing.Tracing;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The steps of {@link CallbackRoutes}: one attempt at delivering a job event to the job's {@code callback_url} as a
 * Standard Webhooks POST, and what follows from its outcome. The deliveries themselves wait in Redis
 * ({@link CallbackQueue}), so a retry survives the node that scheduled it: any node claims due deliveries, each for
 * one attempt under a lease.
 * <p>
 * The first attempt fixes the message (body and {@code webhook-id}); every attempt, on any node, sends that message,
 * re-checks the target's addresses (DNS may have changed since submit), is signed afresh, is bounded by the
 * per-attempt timeout, does not follow redirects, and is written to the job's log. A 2xx ends the delivery, and so
 * does a 410 Gone (the receiver asks to stop); any other answer or error schedules the next attempt of the
 * {@link RetrySchedule}, and after the last one the delivery becomes a dead letter
 * ({@link CallbackDeadLetters}, {@code callbacks_dead_lettered_total}, one WARN line).
 */
public class CallbackDelivery {
    private static final Logger LOG = LoggerFactory.getLogger(CallbackDelivery.class);
    static final String USER_AGENT = "ttv-pipeline-callbacks";
    /** Header: how the current attempt ended ({@link Outcome}); absent until the attempt is decided. */
    public static final String OUTCOME = "TtvCallbackOutcome";
    /** Property: the answer of the current attempt ({@link Answer}). */
    static final String ANSWER = "TtvCallbackAnswer";
    /** Attempts of due deliveries (retries, taken-over first attempts) this node runs at once. */
    static final int SLOTS = 8;
    /** What a lease gives an attempt beyond its two timeouts (connect, answer): name lookups, Redis, scheduling. */
    static final Duration LEASE_MARGIN = Duration.ofSeconds(5);

    /** How an attempt ended. */
    public enum Outcome {
        /** 2xx: the delivery ends. */
        DELIVERED,
        /** 410 Gone: the receiver wants no more; the delivery ends. */
        GONE,
        /** The target resolves to an address the node must not call: the delivery ends, not retried. */
        REFUSED,
        /** The job is gone or takes no such callback (e.g. a replay of a purged job): nothing to send. */
        DROPPED,
        /** The delivery was queued again (replaced) or ended meanwhile: this claim has nothing left to do. */
        STALE,
        /** Any other answer or no answer: retried on the schedule, then dead-lettered. */
        FAILED,
        /** The attempt before this one was the last and its node stopped mid-way: its outcome is unknown. */
        LOST
    }

    /** The receiver's answer: status (-1 when none), time taken, and what failed (null on 2xx). */
    record Answer(int status, long millis, String failure) {
    }

    private final JobStore jobs;
    private final CallbackQueue queue;
    private final ObjectMapper mapper;
    private final WebhookSigner signer;
    private final boolean allowPrivate;
    private final Duration timeout;
    private final RetrySchedule schedule;
    private final PipelineMetrics metrics;
    private final CallbackTargets.Resolver resolver;
    private final HttpClient http;
    private final Tracing tracing;
    /** Slots of {@link #SLOTS} taken by claimed due deliveries whose attempt has not ended. */
    private final AtomicInteger busy = new AtomicInteger();

    /**
     * @param metrics  null to record no metrics
     * @param resolver how target names are resolved for the delivery-time address check
     */
    public CallbackDelivery(JobStore jobs, CallbackQueue queue, ObjectMapper mapper, String secret,
                            boolean allowPrivate, Duration timeout, RetrySchedule schedule, PipelineMetrics metrics,
                            CallbackTargets.Resolver resolver, Tracing tracing) {
        this.jobs = jobs;
        this.tracing = tracing;
        this.queue = queue;
        this.mapper = mapper;
        this.signer = secret == null || secret.isEmpty() ? null : new WebhookSigner(secret);
        this.allowPrivate = allowPrivate;
        this.timeout = timeout;
        this.schedule = schedule;
        this.metrics = metrics;
        this.resolver = resolver;
        this.http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(timeout)
                .build();
    }

    /**
     * How long a claim holds a delivery: longer than one attempt can take (connect and answer timeouts), so that
     * only a node that died mid-attempt lets another node take the delivery before its outcome is recorded.
     */
    Duration lease() {
        return timeout.multipliedBy(2).plus(LEASE_MARGIN);
    }

    // --- claims ------------------------------------------------------------------------------------------------

    /**
     * The outbox of this node handed over a delivery it has just queued: claims it for its first attempt (body: the
     * delivery), or sets a null body when it was taken over by another node or replaced meanwhile.
     */
    public void claimHandedOff(Exchange exchange) {
        String jobId = exchange.getProperty(JobHeaders.JOB_ID, String.class);
        String event = exchange.getMessage().getHeader(JobHeaders.CALLBACK_EVENT, String.class);
        String token = exchange.getMessage().getHeader(CallbackEndpoints.TOKEN, String.class);
        Delivery d = jobId == null || event == null || token == null ? null
                : queue.claimHandedOff(RedisKeys.callbackDeliveryId(jobId, event), token, lease());
        exchange.getMessage().setBody(d);
    }

    /** Claims due deliveries (body: the list), at most as many as this node has free {@link #SLOTS}. */
    public void claimDue(Exchange exchange) {
        int free = reserve();
        List<Delivery> claimed = List.of();
        try {
            claimed = queue.claimDue(free, lease());
        } finally {
            release(free - claimed.size());
        }
        exchange.getMessage().setBody(claimed);
    }

    /** The attempt of a claimed due delivery has ended: its slot is free. */
    public void freeSlot() {
        release(1);
    }

    private int reserve() {
        while (true) {
            int taken = busy.get();
            int free = Math.max(0, SLOTS - taken);
            if (busy.compareAndSet(taken, taken + free)) {
                return free;
            }
        }
    }

    private void release(int slots) {
        busy.updateAndGet(n -> Math.max(0, n - slots));
    }

    /** The job a claimed delivery is about: for the log lines of its steps ({@link JobHeaders#JOB_ID}). */
    public String jobIdOf(Exchange exchange) {
        return exchange.getMessage().getBody(Delivery.class).jobId();
    }

    // --- one attempt -------------------------------------------------------------------------------------------

    /**
     * Before the POST: fixes the message at the first attempt (from the job as it is now) and checks the target's
     * addresses. Sets {@link #OUTCOME} when there is nothing to send.
     */
    public void prepare(Exchange exchange) throws IOException {
        Delivery d = exchange.getMessage().getBody(Delivery.class);
        if (d.attempt() > schedule.maxAttempts()) {
            exchange.getMessage().setHeader(OUTCOME, Outcome.LOST);
            return;
        }
        if (!d.fixed()) {
            d = fix(d);
            if (d == null) {
                exchange.getMessage().setHeader(OUTCOME, Outcome.DROPPED);
                return;
            }
            if (!d.fixed()) {
                exchange.getMessage().setHeader(OUTCOME, Outcome.STALE);
                return;
            }
            exchange.getMessage().setBody(d);
        }
        if (!allowPrivate) {
            String refusal = CallbackTargets.refusal(URI.create(d.target()).getHost(), resolver);
            if (refusal != null) {
                // Not retried: the address check is the guard, and a retry would only ask again.
                log(d.jobId(), "callback " + d.event() + " refused at attempt " + d.attempt() + ": " + refusal);
                LOG.warn("Callback {} of job {} not sent: {}", d.event(), d.jobId(), refusal);
                exchange.getMessage().setHeader(OUTCOME, Outcome.REFUSED);
            }
        }
    }

    /**
     * The message of a delivery's first attempt: null when the job is gone or takes no such callback; the delivery
     * without a message when it was replaced meanwhile.
     */
    private Delivery fix(Delivery d) throws IOException {
        Map<String, String> job = jobs.get(d.jobId());
        if (job == null || !CallbackSubscription.includes(job, d.event())) {
            LOG.debug("Callback {} of job {}: the job is gone or takes no such callback", d.event(), d.jobId());
            return null;
        }
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("type", "job." + d.event());
        envelope.put("timestamp", Timestamps.now());
        envelope.put("data", JobView.of(job, mapper));
        // One id per event of a job (progress: per percentage), so that a receiver can drop duplicates, replays too.
        String webhookId = "msg_" + d.jobId() + "_" + d.event()
                + ("progress".equals(d.event()) ? "_" + job.getOrDefault("progress", "0") : "");
        Delivery fixed = queue.fix(d, webhookId, job.get("callback_url"),
                new String(mapper.writeValueAsBytes(envelope), StandardCharsets.UTF_8));
        return fixed == null ? d : fixed;
    }

    /**
     * The POST: signed with the delivery's {@code webhook-id}, bounded by the timeout, no redirects followed. It is a
     * span of the job's trace (HTTP client conventions) and carries its {@code traceparent}.
     */
    public void post(Exchange exchange) throws Exception {
        Delivery d = exchange.getMessage().getBody(Delivery.class);
        URI target = URI.create(d.target());
        Answer answer = tracing.call("POST", SpanKind.CLIENT, Attributes.builder()
                .put("http.request.method", "POST")
                .put("url.full", target.getScheme() + "://" + target.getRawAuthority() + target.getRawPath())
                .put("server.address", target.getHost())
                .put(Tracing.JOB_ID, d.jobId())
                .put("callback.event", "job." + d.event())
                .put("callback.attempt", d.attempt())
                .build(), () -> send(d, target));
        Outcome outcome = answer.status() >= 200 && answer.status() < 300 ? Outcome.DELIVERED
                : answer.status() == 410 ? Outcome.GONE : Outcome.FAILED;
        exchange.setProperty(ANSWER, answer);
        exchange.getMessage().setHeader(OUTCOME, outcome);
    }

    private Answer send(Delivery d, URI target) {
        byte[] body = d.body().getBytes(StandardCharsets.UTF_8);
        long now = System.currentTimeMillis() / 1000;
        HttpRequest.Builder req = OutboundRequests.to(target)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", USER_AGENT)
                .header("webhook-id", d.webhookId())
                .header("webhook-timestamp", Long.toString(now))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (signer != null) {
            req.header("webhook-signature", signer.sign(d.webhookId(), now, body));
        }
        Tracing.inject(req::header);
        long start = System.nanoTime();
        int status = -1;
        String failure = null;
        try {
            status = http.send(req.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            Span.current().setAttribute("http.response.status_code", status);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the route is being stopped: the outcome is still recorded
            failure = "interrupted (node stopping)";
        } catch (IOException | RuntimeException e) {
            failure = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        if (failure == null && (status < 200 || status >= 300) && status != 410) {
            failure = "HTTP " + status;
        }
        if (failure != null) {
            Span.current().setStatus(StatusCode.ERROR, failure);
        }
        return new Answer(status, ms, failure);
    }

    /** Whether the delivery has ended with this attempt: delivered, gone, refused, or nothing to send. */
    public boolean ended(Exchange exchange) {
        Outcome o = exchange.getMessage().getHeader(OUTCOME, Outcome.class);
        return o != Outcome.FAILED && o != Outcome.LOST;
    }

    /** Whether a failed attempt has a next one in the schedule. */
    public boolean retryLeft(Exchange exchange) {
        Delivery d = exchange.getMessage().getBody(Delivery.class);
        return exchange.getMessage().getHeader(OUTCOME, Outcome.class) == Outcome.FAILED
                && d.attempt() < schedule.maxAttempts();
    }

    /** The delivery has ended: it leaves the queue (if still this claim's), and the answer is logged. */
    public void acknowledge(Exchange exchange) {
        Delivery d = exchange.getMessage().getBody(Delivery.class);
        Outcome outcome = exchange.getMessage().getHeader(OUTCOME, Outcome.class);
        queue.acknowledge(d);
        Answer a = exchange.getProperty(ANSWER, Answer.class);
        if (outcome == Outcome.DELIVERED) {
            log(d.jobId(), attempt(d) + a.status() + " in " + a.millis() + " ms");
            URI target = URI.create(d.target());
            LOG.info("Callback {} delivered to {}://{} ({} in {} ms, attempt {})", d.webhookId(), target.getScheme(),
                    target.getHost(), a.status(), a.millis(), d.attempt());
        } else if (outcome == Outcome.GONE) {
            log(d.jobId(), attempt(d) + "410 in " + a.millis() + " ms: receiver gone, not retried");
            LOG.info("Callback {} answered 410 Gone: not retried", d.webhookId());
        }
    }

    /** A failed attempt with one left: the delivery waits in Redis for its next attempt, on any node. */
    public void scheduleRetry(Exchange exchange) {
        Delivery d = exchange.getMessage().getBody(Delivery.class);
        Answer a = exchange.getProperty(ANSWER, Answer.class);
        Duration delay = schedule.delayAfter(d.attempt(), ThreadLocalRandom.current()::nextDouble);
        if (queue.retry(d, delay, a.failure())) {
            log(d.jobId(), attempt(d) + a.failure() + " in " + a.millis() + " ms, next attempt in " + delay.toMillis()
                    + " ms");
        } else {
            LOG.info("Callback {} of job {}: attempt {} failed ({}) after the delivery was taken over or queued again",
                    d.event(), d.jobId(), d.attempt(), a.failure());
        }
    }

    /** The last attempt failed, or its outcome was lost with its node: the delivery becomes a dead letter. */
    public void deadLetter(Exchange exchange) {
        Delivery d = exchange.getMessage().getBody(Delivery.class);
        Answer a = exchange.getProperty(ANSWER, Answer.class);
        String failure;
        int attempts;
        if (a == null) { // LOST: not sent again
            attempts = d.attempt() - 1;
            failure = "attempt " + attempts + " was cut short by its node stopping; its outcome is unknown"
                    + (d.lastError() == null ? "" : " (before it: " + d.lastError() + ")");
            log(d.jobId(), "callback " + d.event() + " " + failure + ", giving up");
        } else {
            attempts = d.attempt();
            failure = a.failure();
            log(d.jobId(), attempt(d) + failure + " in " + a.millis() + " ms, giving up");
        }
        if (queue.deadLetter(d, d.target(), failure, attempts) && metrics != null) { // logs the WARN line
            metrics.callbackDeadLettered();
        }
    }

    private static String attempt(Delivery d) {
        return "callback " + d.event() + " attempt " + d.attempt() + ": ";
    }

    /** The delivery log is best effort: a Redis hiccup must not stop a delivery. */
    private void log(String jobId, String line) {
        try {
            jobs.log(jobId, line);
        } catch (RuntimeException e) {
            LOG.debug("Job {}: callback log line not recorded: {}", jobId, e.getMessage());
        }
    }
}
