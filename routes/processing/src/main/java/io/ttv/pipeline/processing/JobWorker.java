package io.ttv.pipeline.processing;

import io.ttv.pipeline.core.domain.Sha256;

import io.ttv.pipeline.core.flow.JobHeaders;

import io.ttv.pipeline.core.http.Api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.BaseServiceException;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.ttv.pipeline.core.domain.CallbackSubscription;
import io.ttv.pipeline.core.domain.JobStatus;
import io.ttv.pipeline.core.domain.Timestamps;
import io.ttv.pipeline.generator.GenerationException;
import io.ttv.pipeline.generator.GenerationRequest;
import io.ttv.pipeline.core.generator.Generators;
import io.ttv.pipeline.generator.VideoGenerator;
import io.ttv.pipeline.core.logging.LogContext;
import io.ttv.pipeline.core.metrics.PipelineMetrics;
import io.ttv.pipeline.core.gcs.ArtifactStore;
import io.ttv.pipeline.core.redis.JobStore;
import io.ttv.pipeline.core.redis.Transition;
import io.ttv.pipeline.core.redis.TransitionResult;
import io.ttv.pipeline.core.tracing.Tracing;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import redis.clients.jedis.exceptions.JedisException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The steps of running one claimed job: start it, render the video, describe the upload, mark it finished or
 * failed, and release it. Each step writes state only through {@link JobStore#transition}.
 */
public class JobWorker {
    /** How long a job waits for its generator while the generator's bundle is being replaced. */
    static final Duration GENERATOR_WAIT = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(JobWorker.class);
    static final String STARTED_AT = "TtvStartedAt";
    static final String SKIPPED = "TtvSkipped";
    static final String SHA256 = "TtvSha256";
    static final String SIZE = "TtvSize";
    /** Milliseconds the generator took for this attempt (kept on the job as {@code generation_ms}). */
    static final String GENERATION_MS = "TtvGenerationMs";
    /**
     * The job stays in this worker's processing list, not acknowledged: the node's stop, or the own-orphan sweep,
     * gives it back to the queue (interrupted by a stop, refused because the node is stopping, or a start whose
     * Redis call failed).
     */
    static final String LEFT_CLAIMED = "TtvLeftClaimed";
    /** The job has left this worker's processing list already (with its finish). */
    static final String ACKNOWLEDGED = "TtvAcknowledged";
    /** The client-fit {@code error} of a job whose processing threw an {@link Error}: no internals disclosed. */
    static final String INTERNAL_ERROR = "Internal error while processing the job";
    /** The {@code error} of a job whose worker ran out of memory: retried, bounded by max-attempts. */
    static final String OUT_OF_MEMORY = "The worker ran out of memory while processing the job";

    private final JobStore jobs;
    private final Generators generators;
    private final ArtifactStore artifacts;
    private final PipelineMetrics metrics;
    private final ObjectMapper mapper;
    private final WorkerState state;
    private final int maxAttempts;
    private final Duration retryBackoff;
    private final Tracing tracing;
    /** Told the id of a job whose progress was recorded (the callback outbox, which throttles). */
    private volatile java.util.function.Consumer<String> progressListener = id -> { };

    public JobWorker(JobStore jobs, Generators generators, ArtifactStore artifacts,
                     PipelineMetrics metrics, ObjectMapper mapper, WorkerState state, int maxAttempts,
                     Duration retryBackoff, Tracing tracing) {
        this.tracing = tracing;
        this.state = state;
        this.maxAttempts = maxAttempts;
        this.retryBackoff = retryBackoff;
        this.jobs = jobs;
        this.generators = generators;
        this.artifacts = artifacts;
        this.metrics = metrics;
        this.mapper = mapper;
    }

    /**
     * Moves the claimed job to {@code started}; a job canceled or finished meanwhile is skipped, and so is every job
     * once the node is stopping: it stays claimed, and the stop gives it back to the queue.
     */
    public void start(Exchange exchange) {
        String id = exchange.getMessage().getBody(String.class);
        exchange.setProperty(JobHeaders.JOB_ID, id);
        LogContext.bind(exchange);
        // An interrupt meant for an earlier job on this thread (it arrived after that job's last step) is void.
        Thread.interrupted();
        if (!state.started(id)) {
            LOG.info("Job {} not started: the node is stopping; it goes back to the queue", id);
            exchange.setProperty(SKIPPED, true);
            exchange.setProperty(LEFT_CLAIMED, true);
            return;
        }
        TransitionResult r = jobs.transition(id, Transition.to(JobStatus.STARTED).progress(0)
                .log("started on worker " + exchange.getProperty(ProcessingEndpoints.WORKER_ID)).returningJob());
        if (!r.applied()) {
            LOG.info("Job {} not started: it is {}", id, r.status() == null ? "missing" : r.status().wire());
            exchange.setProperty(SKIPPED, true);
            return;
        }
        Map<String, String> job = r.job();
        exchange.setProperty(JobHeaders.JOB, job);
        // The API request that created the job and its client: the worker's log lines carry them too.
        exchange.setProperty(Api.REQUEST_ID, job.get("request_id"));
        exchange.setProperty(LogContext.USER, job.get("user_id"));
        LogContext.bind(exchange);
        exchange.setProperty(STARTED_AT, Instant.now());
        metrics.jobStarted();
        LOG.info("Job {} started", id);
    }

    public void onProgress(java.util.function.Consumer<String> listener) {
        this.progressListener = listener;
    }

    /** Renders the video into a temp file owned by the exchange, reporting progress to the job. */
    public void generate(Exchange exchange) throws Exception {
        Map<String, String> job = job(exchange);
        String id = job.get("id");
        String name = job.get("generator");
        VideoGenerator generator = generators.await(name, GENERATOR_WAIT);
        if (generator == null) {
            // A configured generator whose bundle does not come back in time: another attempt may find it.
            throw new GenerationException("generator '" + name + "' is not available on this node",
                    generators.names().contains(name), null);
        }
        Path video = Files.createTempFile("ttv-" + id + "-", ".mp4");
        exchange.setProperty(ProcessingEndpoints.VIDEO_FILE, video);
        GenerationRequest request = new GenerationRequest(id, job.get("prompt"),
                Double.parseDouble(job.get("duration_seconds")), job.get("aspect_ratio"),
                job.containsKey("seed") ? Long.valueOf(job.get("seed")) : null);
        jobs.log(id, "rendering with generator " + generator.name());
        long renderStart = System.nanoTime();
        ProgressSampler sampler = new ProgressSampler(renderStart);
        boolean progressCallbacks = CallbackSubscription.includes(job, "progress");
        try {
            tracing.call("generate", SpanKind.INTERNAL, attributes(job), () -> {
                generator.generate(request, video, (percent, message) -> {
                    // The last 10% are the upload: rendering reports 0..90. Progress is best effort: a Redis hiccup
                    // must not fail the render (the job's end is recorded, or recovered, separately).
                    int scaled = Math.min(90, percent * 9 / 10);
                    if (!sampler.worthWriting(scaled, System.nanoTime())) {
                        return;
                    }
                    try {
                        jobs.transition(id, JobStatus.PROGRESS, scaled);
                        if (progressCallbacks) {
                            progressListener.accept(id);
                        }
                    } catch (DataAccessException e) {
                        LOG.debug("Job {}: progress {} not recorded: {}", id, percent, e.getMessage());
                    }
                });
                return null;
            });
        } catch (InterruptedException e) {
            // Camel's error handler does not handle an InterruptedException: carry it as the job's failure instead.
            throw new JobInterruptedException(id, e);
        }
        exchange.setProperty(GENERATION_MS, (System.nanoTime() - renderStart) / 1_000_000);
        exchange.setProperty(SIZE, Files.size(video));
        exchange.setProperty(SHA256, Sha256.hex(video));
    }

    /** Stores the rendered video as {@code final_video.mp4} in the job's folder. */
    public void uploadVideo(Exchange exchange) throws Exception {
        Map<String, String> job = job(exchange);
        tracing.call("upload " + ArtifactStore.VIDEO_NAME, SpanKind.INTERNAL, attributes(job), () -> {
            artifacts.upload(folder(job) + ArtifactStore.VIDEO_NAME, ArtifactStore.VIDEO_CONTENT_TYPE,
                    exchange.getProperty(ProcessingEndpoints.VIDEO_FILE, Path.class), objectMetadata(job));
            return null;
        });
    }

    /** Stores the {@code job.json} manifest beside the video. */
    public void uploadManifest(Exchange exchange) throws Exception {
        Map<String, String> job = job(exchange);
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("job_id", job.get("id"));
        manifest.put("prompt", job.get("prompt"));
        manifest.put("generator", job.get("generator"));
        manifest.put("duration_seconds", Double.valueOf(job.get("duration_seconds")));
        manifest.put("aspect_ratio", job.get("aspect_ratio"));
        manifest.put("seed", job.containsKey("seed") ? Long.valueOf(job.get("seed")) : null);
        manifest.put("created_at", job.get("created_at"));
        manifest.put("started_at", Timestamps.format(exchange.getProperty(STARTED_AT, Instant.class)));
        manifest.put("uploaded_at", Timestamps.now());
        manifest.put("video", Map.of("name", ArtifactStore.VIDEO_NAME, "content_type", ArtifactStore.VIDEO_CONTENT_TYPE,
                "size_bytes", exchange.getProperty(SIZE), "sha256", exchange.getProperty(SHA256)));
        byte[] bytes = mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest);
        tracing.call("upload " + ArtifactStore.MANIFEST_NAME, SpanKind.INTERNAL, attributes(job), () -> {
            artifacts.upload(folder(job) + ArtifactStore.MANIFEST_NAME, "application/json", bytes, objectMetadata(job));
            return null;
        });
    }

    /** The attributes of a job's spans. */
    private static Attributes attributes(Map<String, String> job) {
        return Attributes.of(Tracing.JOB_ID, job.get("id"), Tracing.GENERATOR, job.get("generator"));
    }

    /** Custom metadata of both objects. */
    private static Map<String, String> objectMetadata(Map<String, String> job) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(ArtifactStore.METADATA_JOB_ID, job.get("id"));
        metadata.put(ArtifactStore.METADATA_GENERATOR, job.get("generator"));
        return metadata;
    }

    /** Marks the job finished with its artifact; a job canceled meanwhile stays canceled. */
    public void finish(Exchange exchange) throws Exception {
        Map<String, String> job = job(exchange);
        String id = job.get("id");
        String rendered = "rendered " + exchange.getProperty(SIZE) + " bytes";
        TransitionResult r = tracing.call("finish", SpanKind.INTERNAL, attributes(job), () -> jobs.transition(id,
                Transition.to(JobStatus.FINISHED).log(rendered).log("finished")
                        .acknowledgedBy(exchange.getProperty(ProcessingEndpoints.WORKER_ID, String.class))
                        .set("gcs_uri", artifacts.gcsUri(folder(job) + ArtifactStore.VIDEO_NAME),
                                "size_bytes", String.valueOf(exchange.getProperty(SIZE)),
                                "sha256", exchange.getProperty(SHA256, String.class),
                                "content_type", ArtifactStore.VIDEO_CONTENT_TYPE,
                                "generation_ms", String.valueOf(exchange.getProperty(GENERATION_MS)))));
        if (r.applied()) {
            exchange.setProperty(ACKNOWLEDGED, true);
            ended(exchange, "finished", null);
            exchange.getMessage().setHeader(JobHeaders.CALLBACK_EVENT, "finished");
            return;
        }
        jobs.log(id, rendered);
        if (r.status() == JobStatus.CANCELED) {
            artifacts.delete(folder(job));
            ended(exchange, "canceled", "canceled during upload: artifact removed");
            exchange.getMessage().setHeader(JobHeaders.CALLBACK_EVENT, "canceled");
            return;
        }
        ended(exchange, "failed", "not finished: job is " + r.status().wire());
        exchange.getMessage().removeHeader(JobHeaders.CALLBACK_EVENT);
    }

    /**
     * Marks the job failed with a message fit for a client; a job interrupted by a stopping node is left as it is
     * (not acknowledged), to be returned to the queue.
     */
    public void fail(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String id = exchange.getProperty(JobHeaders.JOB_ID, String.class);
        if (exchange.getProperty(STARTED_AT) == null && redisFailure(cause)) {
            // The start's Redis call failed, perhaps after Redis had made the move: whether the job started is not
            // known, so it is not failed. It stays in this worker's processing list, and the own-orphan sweep gives
            // it back to the queue as a new attempt (Reaper).
            LOG.warn("Job {} could not be started, Redis did not answer ({}); the orphan sweep gives it back to the "
                    + "queue", id, cause.getMessage());
            leaveClaimed(exchange);
            return;
        }
        boolean timedOut = id != null && state.wasTimedOut(id);
        if (!timedOut && canceled(id)) {
            if (exchange.getProperty(STARTED_AT) != null) {
                ended(exchange, "canceled", "canceled while running: work aborted, no artifact");
            }
            exchange.getMessage().setHeader(JobHeaders.CALLBACK_EVENT, "canceled");
            return;
        }
        if (!timedOut && state.isStopping() && interrupted(cause)) {
            LOG.info("Job {} interrupted by the node stopping; it goes back to the queue", id);
            metrics.jobInterrupted();
            leaveClaimed(exchange);
            return;
        }
        String message = "Processing failed";
        boolean retryable = true;
        boolean internal = false;
        if (timedOut) {
            message = "The job exceeded its time limit of " + state.jobTimeout().toSeconds() + " s";
            retryable = false;
        } else {
            for (Throwable t = cause; t != null; t = t.getCause()) {
                if (t instanceof GenerationException g) {
                    message = g.getMessage();
                    retryable = g.isRetryable();
                    break;
                }
                if (t instanceof BaseServiceException) {
                    message = "Uploading the video to storage failed";
                    break;
                }
                // An Error (OutOfMemoryError, StackOverflowError, LinkageError, AssertionError …; wrapped in an
                // exception by the bean component or StepInterceptor) fails the job at once, not retryable. docs/generators.md retries only transient
                // conditions outside the node (timeouts, 429, 5xx, connection resets); an Error is a defect of the
                // node or its code, and the same input (a render is deterministic for prompt and seed) on the same
                // code meets it again, so a retry would only take it, and perhaps the JVM, to more workers. When
                // even this cannot be recorded, release still frees the slot and the own-orphan sweep gives the job
                // back, bounded by max-attempts like any lost job.
                if (t instanceof OutOfMemoryError) {
                    // The exception: running out of heap or direct memory depends on what else the node was doing
                    // (concurrent uploads, renders), not on the job, so another attempt may well succeed.
                    message = OUT_OF_MEMORY;
                    break;
                }
                if (t instanceof Error) {
                    message = INTERNAL_ERROR;
                    retryable = false;
                    internal = true;
                    break;
                }
            }
        }
        if (retryable && exchange.getProperty(STARTED_AT) != null && retried(exchange, id, message, cause)) {
            return;
        }
        if (internal) {
            LOG.error("Job {} failed with an internal error", id, cause);
        } else {
            LOG.warn("Job {} failed: {}", id, message, cause);
        }
        TransitionResult r = jobs.transition(id, JobStatus.FAILED, null, "error", message,
                "retryable", Boolean.toString(retryable));
        exchange.getMessage().setHeader(JobHeaders.CALLBACK_EVENT, "failed");
        if (exchange.getProperty(STARTED_AT) != null) {
            ended(exchange, "failed", r.applied() ? "failed: " + message : "not failed: job is "
                    + (r.status() == null ? "missing" : r.status().wire()));
        }
    }

    /** Schedules another attempt if the job has attempts left; true if it did. */
    private boolean retried(Exchange exchange, String id, String message, Exception cause) {
        int attempts = Integer.parseInt(job(exchange).getOrDefault("attempts", "1"));
        if (attempts >= maxAttempts) {
            return false;
        }
        Duration delay = backoff(retryBackoff, attempts);
        TransitionResult r = jobs.scheduleRetry(id, exchange.getProperty(ProcessingEndpoints.WORKER_ID, String.class), delay,
                message);
        if (!r.applied()) {
            return false;
        }
        LOG.warn("Job {} attempt {} of {} failed ({}); retrying in {} s", id, attempts, maxAttempts, message,
                delay.toSeconds(), cause);
        ended(exchange, "retrying", "attempt " + attempts + " failed: " + message + "; retrying in "
                + delay.toSeconds() + " s");
        exchange.getMessage().removeHeader(JobHeaders.CALLBACK_EVENT);
        return true;
    }

    /** Exponential backoff from {@code base}, doubled per attempt, with ±20% jitter, at most 10 minutes. */
    static Duration backoff(Duration base, int attempts) {
        double exponential = base.toMillis() * Math.pow(2, Math.max(0, attempts - 1));
        double jittered = exponential * (0.8 + 0.4 * java.util.concurrent.ThreadLocalRandom.current().nextDouble());
        return Duration.ofMillis((long) Math.min(jittered, Duration.ofMinutes(10).toMillis()));
    }

    /** The job was canceled (a cancel signal, or its status seen between steps). */
    private boolean canceled(String id) {
        if (id == null) {
            return false;
        }
        return state.wasCanceled(id) || jobs.status(id) == JobStatus.CANCELED;
    }

    /** Before the upload: a job canceled meanwhile (signal lost or not yet delivered) or over its time limit stops here. */
    public void beforeUpload(Exchange exchange) {
        String id = exchange.getProperty(JobHeaders.JOB_ID, String.class);
        if (state.wasTimedOut(id)) {
            throw new IllegalStateException("job " + id + " exceeded its time limit");
        }
        if (canceled(id)) {
            throw new JobCanceledException(id);
        }
    }

    /**
     * Counts and logs the end of the job's attempt; {@code what} also goes to the job's log, unless null: the move
     * that ended the job logged it already.
     */
    private void ended(Exchange exchange, String outcome, String what) {
        String id = exchange.getProperty(JobHeaders.JOB_ID, String.class);
        Instant started = exchange.getProperty(STARTED_AT, Instant.class);
        Duration took = Duration.between(started, Instant.now());
        metrics.jobEnded(outcome, took);
        if (what != null) {
            jobs.log(id, what);
        }
        LogContext.withDuration(took, () -> LOG.info("Job {} {}", id, what == null ? outcome : what));
    }

    /**
     * Deletes the temp file and removes the job from the processing list (its terminal state is written), except
     * for a job interrupted by a stop, which stays there until the node gives it back.
     */
    public void release(Exchange exchange) throws IOException {
        try {
            Path video = exchange.getProperty(ProcessingEndpoints.VIDEO_FILE, Path.class);
            if (video != null) {
                Files.deleteIfExists(video);
            }
            String id = exchange.getProperty(JobHeaders.JOB_ID, String.class);
            if (id != null && !exchange.getProperty(LEFT_CLAIMED, false, Boolean.class)
                    && !exchange.getProperty(ACKNOWLEDGED, false, Boolean.class)) {
                jobs.acknowledge(exchange.getProperty(ProcessingEndpoints.WORKER_ID, String.class), id);
            }
        } finally {
            String id = exchange.getProperty(JobHeaders.JOB_ID, String.class);
            if (id != null) {
                state.ended(id);
            }
        }
    }

    /** The job ends neither failed nor with a callback: it stays claimed ({@link #LEFT_CLAIMED}). */
    private static void leaveClaimed(Exchange exchange) {
        exchange.setProperty(LEFT_CLAIMED, true);
        exchange.getMessage().removeHeader(JobHeaders.CALLBACK_EVENT);
    }

    private static boolean redisFailure(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof DataAccessException || t instanceof JedisException) {
                return true;
            }
        }
        return false;
    }

    private static boolean interrupted(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException || t instanceof java.nio.channels.ClosedByInterruptException) {
                return true;
            }
        }
        return Thread.currentThread().isInterrupted();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> job(Exchange exchange) {
        return exchange.getProperty(JobHeaders.JOB, Map.class);
    }

    private String folder(Map<String, String> job) {
        return artifacts.folder(job.get("id"), Instant.parse(job.get("created_at")));
    }

}
