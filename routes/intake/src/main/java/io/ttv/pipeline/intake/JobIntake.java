package io.ttv.pipeline.intake;

import io.ttv.pipeline.core.domain.Sha256;

import io.ttv.pipeline.core.flow.JobHeaders;

import io.ttv.pipeline.core.http.Api;
import io.ttv.pipeline.core.http.ApiException;
import io.ttv.pipeline.core.http.RateLimitAnswer;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.opentelemetry.api.trace.SpanKind;
import io.ttv.pipeline.core.domain.CreateJobRequest;
import io.ttv.pipeline.core.domain.JobStatus;
import io.ttv.pipeline.core.domain.JobView;
import io.ttv.pipeline.core.domain.Timestamps;
import io.ttv.pipeline.core.domain.ValidationException;
import io.ttv.pipeline.core.metrics.PipelineMetrics;
import io.ttv.pipeline.core.redis.CancelResult;
import io.ttv.pipeline.core.redis.CreateResult;
import io.ttv.pipeline.core.redis.RateLimiter;
import io.ttv.pipeline.core.redis.JobPage;
import io.ttv.pipeline.core.redis.JobStore;
import io.ttv.pipeline.core.tracing.Tracing;
import io.ttv.pipeline.core.logging.LogContext;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.apache.camel.Message;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/** The intake steps: validate and store a new job, and read one back. */
public class JobIntake {
    private static final Logger LOG = LoggerFactory.getLogger(JobIntake.class);
    private static final Pattern JOB_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

    static final int DEFAULT_PAGE = 20;
    static final int MAX_PAGE = 100;
    static final int DEFAULT_LOG_TAIL = 100;
    static final int MAX_LOG_TAIL = 10_000;
    static final int MAX_IDEMPOTENCY_KEY = 255;
    static final int MAX_WAIT_SECONDS = 30;
    static final int DEFAULT_COMPAT_PAGE = 20;

    private final Api api;
    private final JobStore jobs;
    private final PipelineMetrics metrics;
    private final CreateJobRequest.Rules rules;
    private final JobEvents events;
    private final Tracing tracing;
    private final RateLimiter limiter;

    /** Property: the validated create body. */
    static final String REQUEST = "TtvCreateRequest";
    /** Property: the request's scoped Idempotency-Key and fingerprint ({@link JobStore.Idempotency}), if any. */
    static final String IDEMPOTENCY = "TtvIdempotency";
    /** Property: the stored (or replayed) job's {@link Accepted} answer. */
    static final String ACCEPTED = "TtvAccepted";

    /** What the create answer says: the job, when it was created, and whether it was an earlier request's. */
    record Accepted(String id, String createdAt, boolean replayed) {
    }

    public JobIntake(Api api, JobStore jobs, PipelineMetrics metrics, CreateJobRequest.Rules rules, JobEvents events,
                     Tracing tracing, RateLimiter limiter) {
        this.api = api;
        this.limiter = limiter;
        this.tracing = tracing;
        this.events = events;
        this.jobs = jobs;
        this.metrics = metrics;
        this.rules = rules;
    }

    /** Step 1: a JSON body that passes every rule, and a well-formed {@code Idempotency-Key} if one is given. */
    public void validate(Exchange exchange) {
        String contentType = exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class);
        if (!isJson(contentType)) {
            throw new ApiException(415, "UnsupportedMediaType", "Send the job as JSON with Content-Type: application/json",
                    Map.of("content_type", contentType == null ? "" : contentType), false);
        }
        String key = exchange.getMessage().getHeader("Idempotency-Key", String.class);
        if (key != null && (key.isEmpty() || key.length() > MAX_IDEMPOTENCY_KEY
                || !key.chars().allMatch(c -> c >= 0x21 && c < 0x7f))) {
            throw new ValidationException("Idempotency-Key must be 1 to " + MAX_IDEMPOTENCY_KEY
                    + " visible ASCII characters", Map.of("field", "Idempotency-Key", "problem", "invalid"));
        }
        exchange.setProperty(REQUEST, CreateJobRequest.parse(exchange.getMessage().getBody(byte[].class),
                api.mapper(), rules));
    }

    /**
     * Step 2: the request's {@code Idempotency-Key}, scoped to its client, with the fingerprint of the normalised
     * request; none without a key. The check itself is part of the store step (one atomic Lua call).
     */
    public void idempotency(Exchange exchange) throws JsonProcessingException {
        String key = exchange.getMessage().getHeader("Idempotency-Key", String.class);
        if (key != null) {
            String client = exchange.getMessage().getHeader(Api.PRINCIPAL_HEADER, "anonymous", String.class);
            String fingerprint = Sha256.hex(api.mapper().writeValueAsString(request(exchange)));
            exchange.setProperty(IDEMPOTENCY, new JobStore.Idempotency(Sha256.hex(client + "\n" + key), fingerprint));
        }
    }

    /**
     * Step 3: stores and queues the job in one Lua call ({@code create-job.lua}), or finds the job an earlier request
     * with the same key created; the same key with another body is a 422. The same call takes the request's
     * rate-limit token (a 429, nothing written, when there is none). The job keeps the trace of its queuing
     * ({@link Tracing#JOB_FIELD}), which the worker continues.
     */
    public void store(Exchange exchange) throws Exception {
        CreateJobRequest req = request(exchange);
        String newId = UUID.randomUUID().toString();
        String id = newId;
        Instant now = Instant.now();
        String createdAt = Timestamps.format(now);
        Map<String, String> fields = fields(exchange, req, newId, createdAt);
        JobStore.Idempotency idempotency = exchange.getProperty(IDEMPOTENCY, JobStore.Idempotency.class);
        String client = exchange.getMessage().getHeader(Api.RATE_LIMIT_CLIENT_HEADER, String.class);
        RateLimiter.Bucket bucket = client != null && limiter.enabled() ? limiter.bucket(client) : null;
        CreateResult created = tracing.call("send " + Tracing.QUEUE, SpanKind.PRODUCER,
                Tracing.queueHop("send", newId, req.generator()), () -> {
                    String trace = tracing.capture();
                    if (trace != null) {
                        fields.put(Tracing.JOB_FIELD, trace);
                    }
                    return jobs.create(newId, now, fields, idempotency, bucket);
                });
        if (created.rateLimit() != null) {
            exchange.setProperty(Api.RATE_LIMIT, created.rateLimit());
        }
        if (created.outcome() == CreateResult.Outcome.LIMITED) {
            throw RateLimitAnswer.refusal(created.rateLimit());
        }
        if (created.outcome() == CreateResult.Outcome.REUSED) {
            throw new ApiException(422, "IdempotencyKeyReused", "This Idempotency-Key was used for a different "
                    + "request within the last 24 h", Map.of("job_id", created.jobId()), false);
        }
        boolean replayed = created.outcome() == CreateResult.Outcome.REPLAYED;
        if (replayed) {
            Map<String, String> original = jobs.get(created.jobId());
            id = created.jobId();
            createdAt = original == null ? createdAt : original.get("created_at");
        } else {
            metrics.jobAccepted();
        }
        exchange.setProperty(JobHeaders.JOB_ID, id);
        exchange.setProperty(ACCEPTED, new Accepted(id, createdAt, replayed));
        LogContext.bind(exchange);
        if (replayed) {
            LOG.info("Job {} replayed for a repeated Idempotency-Key", id);
        } else {
            LOG.info("Job {} accepted: generator {}, {} s, {}", id, req.generator(), req.durationSeconds(),
                    req.aspectRatio());
        }
    }

    /** Step 4: 202 with the job's id, status and creation time, and where to read it. */
    public void respondAccepted(Exchange exchange) {
        Accepted accepted = exchange.getProperty(ACCEPTED, Accepted.class);
        // Old clients posting to /jobs are pointed to /jobs/{id}, the path they know.
        String basePath = exchange.getMessage().getHeader(Exchange.HTTP_URI, "/v1/jobs", String.class)
                .startsWith("/v1/") ? "/v1/jobs" : "/jobs";
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", accepted.id());
        body.put("status", JobStatus.QUEUED.wire());
        body.put("created_at", accepted.createdAt());
        api.respondJob(exchange, 202, body);
        exchange.getMessage().setHeader("Location", basePath + "/" + accepted.id());
        if (accepted.replayed()) {
            exchange.getMessage().setHeader("Idempotent-Replayed", "true");
        }
    }

    /** The job hash of a new job. */
    private Map<String, String> fields(Exchange exchange, CreateJobRequest req, String id, String createdAt)
            throws JsonProcessingException {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("id", id);
        fields.put("status", JobStatus.QUEUED.wire());
        fields.put("progress", "0");
        fields.put("attempts", "0");
        fields.put("created_at", createdAt);
        fields.put("generator", req.generator());
        fields.put("prompt", req.prompt());
        fields.put("duration_seconds", Double.toString(req.durationSeconds()));
        fields.put("aspect_ratio", req.aspectRatio());
        if (req.seed() != null) {
            fields.put("seed", Long.toString(req.seed()));
        }
        if (req.callbackUrl() != null) {
            fields.put("callback_url", req.callbackUrl());
            fields.put("callback_events", String.join(",", req.callbackEvents()));
        }
        if (req.metadata() != null) {
            fields.put("metadata", api.mapper().writeValueAsString(req.metadata()));
        }
        fields.put("request_id", Api.requestId(exchange));
        String principal = exchange.getMessage().getHeader(Api.PRINCIPAL_HEADER, String.class);
        if (principal != null) {
            fields.put("user_id", principal);
        }
        return fields;
    }

    private static CreateJobRequest request(Exchange exchange) {
        return exchange.getProperty(REQUEST, CreateJobRequest.class);
    }

    /** {@code application/json} or a {@code +json} type, with or without parameters such as the charset. */
    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim()
                .toLowerCase(Locale.ROOT);
        return type.equals("application/json") || (type.startsWith("application/") && type.endsWith("+json"));
    }

    /** {@code POST /v1/jobs/{id}/cancel}: 200 with the canceled job, 409 if it already ended, 404 if unknown. */
    public void cancel(Exchange exchange) {
        String id = exchange.getProperty(JobHeaders.JOB_ID, String.class);
        CancelResult r = jobs.cancel(id);
        switch (r.outcome()) {
            case MISSING -> throw ApiException.jobNotFound(id);
            case TERMINAL -> throw new ApiException(409, "JobAlreadyTerminal", "The job has already ended: "
                    + r.status().wire(), Map.of("current_status", r.status().wire()), false);
            default -> {
                jobs.log(id, "canceled (request " + Api.requestId(exchange) + ")");
                api.respondJob(exchange, 200, JobView.of(jobs.get(id), api.mapper()));
            }
        }
    }

    /** {@code GET /v1/jobs?limit=&cursor=&status=}: newest first, from the {@code rq:jobs} index. */
    public void list(Exchange exchange) {
        Message in = exchange.getMessage();
        int limit = Api.queryInt(in.getHeader("limit", String.class), "limit", 1, MAX_PAGE, DEFAULT_PAGE);
        String cursor = in.getHeader("cursor", String.class);
        JobPage.Position after = null;
        if (cursor != null && !cursor.isEmpty()) {
            try {
                after = JobPage.Position.decode(cursor);
            } catch (IllegalArgumentException e) {
                throw new ValidationException("cursor is not valid; use next_cursor from a previous page",
                        Map.of("field", "cursor", "problem", "invalid"));
            }
        }
        String status = in.getHeader("status", String.class);
        JobStatus filter = null;
        if (status != null && !status.isEmpty()) {
            filter = Arrays.stream(JobStatus.values()).filter(s -> s.wire().equals(status)).findFirst()
                    .orElseThrow(() -> new ValidationException("status must be one of queued, started, progress, "
                            + "finished, failed, canceled", Map.of("field", "status", "problem", "unknown status")));
        }
        JobPage page = jobs.page(after, limit, filter);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("jobs", page.jobs().stream().map(h -> JobView.of(h, api.mapper())).toList());
        body.put("next_cursor", page.nextCursor());
        api.respondJob(exchange, 200, body);
    }

    /** {@code GET /v1/jobs/{id}/logs?tail=N}: the newest N lines (0..10000, default 100). */
    public void logs(Exchange exchange) {
        String id = exchange.getProperty(JobHeaders.JOB_ID, String.class);
        int tail = tail(exchange.getMessage().getHeader("tail", String.class));
        if (!jobs.exists(id)) {
            throw ApiException.jobNotFound(id);
        }
        api.respondJob(exchange, 200, Map.of("job_id", id, "lines", jobs.logs(id, tail)));
    }

    static int tail(String raw) {
        return Api.queryInt(raw, "tail", 0, MAX_LOG_TAIL, DEFAULT_LOG_TAIL);
    }

    /** Takes the job id from the path; an id that cannot name a job is a 404 without a Redis read. */
    public void jobId(Exchange exchange) {
        String id = exchange.getMessage().getHeader("id", String.class);
        if (id == null || !JOB_ID.matcher(id).matches()) {
            throw ApiException.jobNotFound(id);
        }
        exchange.setProperty(JobHeaders.JOB_ID, id);
    }

    /**
     * Validates {@code ?wait=} before Redis is read: how long a reader may wait for the job to change.
     */
    public int waitSeconds(Exchange exchange) {
        return Api.queryInt(exchange.getMessage().getHeader("wait", String.class), "wait", 0, MAX_WAIT_SECONDS, 0);
    }

    /**
     * Writes the job read by the spring-redis HGETALL step. With {@code wait}, a job that has not ended is watched
     * until its status or progress changes or the wait is over; {@code If-None-Match} with the answer's ETag gives 304.
     */
    public void respondJob(Exchange exchange) throws InterruptedException, JsonProcessingException {
        Map<String, String> job = hash(exchange);
        int wait = exchange.getProperty(IntakeRoutes.WAIT_SECONDS, 0, Integer.class);
        if (wait > 0 && !JobStatus.fromWire(job.get("status")).isTerminal() && events.reserve()) {
            try {
                job = awaitChange(job, Instant.now().plusSeconds(wait));
            } finally {
                events.release();
            }
        }
        byte[] body = api.mapper().writeValueAsBytes(JobView.of(job, api.mapper()));
        String etag = "\"" + Sha256.hex(new String(body, StandardCharsets.UTF_8)).substring(0, 32) + "\"";
        String ifNoneMatch = exchange.getMessage().getHeader("If-None-Match", String.class);
        if (ifNoneMatch != null && matches(ifNoneMatch, etag)) {
            api.respondJob(exchange, 304, null);
        } else {
            api.respondJob(exchange, 200, null);
            exchange.getMessage().setBody(body);
        }
        exchange.getMessage().setHeader("ETag", etag);
    }

    private Map<String, String> awaitChange(Map<String, String> seen, Instant deadline) throws InterruptedException {
        String id = seen.get("id");
        Map<String, String> now = seen;
        while (Instant.now().isBefore(deadline) && !events.isClosed()) {
            events.await(id, Duration.between(Instant.now(), deadline));
            Map<String, String> read = jobs.get(id);
            if (read == null) {
                return now;
            }
            now = read;
            if (!Objects.equals(now.get("status"), seen.get("status"))
                    || !Objects.equals(now.get("progress"), seen.get("progress"))) {
                return now;
            }
        }
        return now;
    }

    private static boolean matches(String ifNoneMatch, String etag) {
        for (String tag : ifNoneMatch.split(",")) {
            String t = tag.trim();
            if (t.equals("*") || t.equals(etag) || t.equals("W/" + etag)) {
                return true;
            }
        }
        return false;
    }

    /** {@code GET /jobs?limit=&offset=}: the Python service's listing, a bare array, newest first. */
    public void listCompat(Exchange exchange) {
        Message in = exchange.getMessage();
        int limit = Api.queryInt(in.getHeader("limit", String.class), "limit", 1, MAX_PAGE, DEFAULT_COMPAT_PAGE);
        int offset = Api.queryInt(in.getHeader("offset", String.class), "offset", 0, Integer.MAX_VALUE - MAX_PAGE, 0);
        api.respondJob(exchange, 200, jobs.range(offset, limit).stream().map(h -> JobView.of(h, api.mapper())).toList());
    }

    /** The job hash read by the spring-redis HGETALL step; a missing job is a 404. */
    @SuppressWarnings("unchecked")
    static Map<String, String> hash(Exchange exchange) {
        Map<Object, Object> raw = exchange.getMessage().getBody(Map.class);
        if (raw == null || raw.isEmpty()) {
            throw ApiException.jobNotFound(exchange.getProperty(JobHeaders.JOB_ID, String.class));
        }
        Map<String, String> hash = new LinkedHashMap<>();
        raw.forEach((k, v) -> hash.put(k.toString(), v.toString()));
        return hash;
    }
}
