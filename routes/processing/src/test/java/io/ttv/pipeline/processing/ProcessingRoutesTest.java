package io.ttv.pipeline.processing;

import io.ttv.pipeline.testing.TestGenerators;
import io.ttv.pipeline.core.flow.StepInterceptor;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.NoCredentials;
import com.google.cloud.storage.StorageOptions;
import io.ttv.pipeline.testing.TestJobs;
import io.ttv.pipeline.testing.TestRedis;
import io.ttv.pipeline.core.callback.CallbackOutbox;
import io.ttv.pipeline.core.config.PipelineConfig;
import io.ttv.pipeline.generator.GenerationRequest;
import io.ttv.pipeline.generator.ProgressListener;
import io.ttv.pipeline.generator.VideoGenerator;
import io.ttv.pipeline.core.metrics.PipelineMetrics;
import io.ttv.pipeline.core.gcs.ArtifactStore;
import io.ttv.pipeline.core.redis.CallbackQueue;
import io.ttv.pipeline.core.redis.JobStore;
import io.ttv.pipeline.core.redis.RedisKeys;
import io.ttv.pipeline.core.redis.Transition;
import io.ttv.pipeline.core.redis.TransitionResult;
import io.ttv.pipeline.core.domain.JobStatus;
import io.ttv.pipeline.core.tracing.Tracing;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.RedisSystemException;
import redis.clients.jedis.exceptions.JedisConnectionException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The processing routes when a job's thread meets an {@link Error}: the job ends, and the node's slot for it is
 * freed in every path, against a real Redis (the upload is a stand-in step).
 */
class ProcessingRoutesTest extends CamelTestSupport {
    private static final String WORKER = "worker-under-test";
    private static final String DELAYED = RedisKeys.STANDARD.delayed();
    // A short command timeout: while Redis refuses writes, recording a failure fails fast instead of hanging.
    @RegisterExtension
    static final TestRedis redis = TestRedis.perClass(Map.of("TTV_REDIS_TIMEOUT_MS", "300"));
    private JobStore jobs;
    private final WorkerState state = new WorkerState(Duration.ofHours(1));
    /** What the generator does: throw an Error after it began writing its output. */
    private final AtomicReference<Runnable> generatorFault = new AtomicReference<>();
    private final AtomicReference<Path> partialOutput = new AtomicReference<>();
    /** Whether the reply to the next start transition is lost after Redis made the move (a read timeout). */
    private final AtomicBoolean loseNextStartReply = new AtomicBoolean();
    /** What the upload does: a processor step (not a bean), like a producer. */
    private final AtomicReference<Runnable> uploadFault = new AtomicReference<>(() -> { });

    @Override
    protected RoutesBuilder[] createRouteBuilders() {
        jobs = new JobStore(redis.clients().template(), redis.clients().keys()) {
            @Override
            public TransitionResult transition(String id, Transition t) {
                TransitionResult r = super.transition(id, t);
                if (r.applied() && r.status() == JobStatus.STARTED && loseNextStartReply.getAndSet(false)) {
                    throw new RedisSystemException("Read timed out", new JedisConnectionException("read timed out"));
                }
                return r;
            }
        };
        PipelineConfig config = PipelineConfig.resolve(Map.of(), Map.of("TTV_GCS_ENDPOINT", "http://127.0.0.1:1"));
        ArtifactStore artifacts = new ArtifactStore(StorageOptions.newBuilder().setHost("http://127.0.0.1:1")
                .setProjectId("test").setCredentials(NoCredentials.getInstance()).build().getService(), config);
        VideoGenerator failing = new VideoGenerator() {
            @Override
            public String name() {
                return "local";
            }

            @Override
            public void generate(GenerationRequest request, Path output, ProgressListener listener) {
                try {
                    Files.writeString(output, "half a video", StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                partialOutput.set(output);
                generatorFault.get().run();
            }
        };
        JobWorker worker = new JobWorker(jobs, TestGenerators.of(failing), artifacts, new PipelineMetrics(jobs),
                new ObjectMapper(), state, 3, Duration.ofSeconds(1), Tracing.off());
        context.getCamelContextExtension().addInterceptStrategy(new StepInterceptor());
        RouteBuilder upload = new RouteBuilder() {
            @Override
            public void configure() {
                from(ProcessingEndpoints.UPLOAD).errorHandler(noErrorHandler()).process(e -> uploadFault.get().run());
            }
        };
        return new RoutesBuilder[] {new ProcessingRoutes(worker,
                new CallbackOutbox(context,
                        new CallbackQueue(redis.clients().template(), redis.clients().keys()))), upload};
    }

    /** Creates a job and claims it into this worker's processing list, as a claim loop does. */
    private String claimNewJob() {
        String id = TestJobs.queued(jobs);
        assertEquals(id, jobs.claim(WORKER, Duration.ofSeconds(1)));
        return id;
    }

    private void run(String id) {
        template.send(ProcessingEndpoints.RUN_JOB, e -> {
            e.getMessage().setBody(id);
            e.setProperty(ProcessingEndpoints.WORKER_ID, WORKER);
        });
    }

    @Test
    void anErrorWhileRenderingFailsTheJobAtOnceNotRetryableAndFreesItsSlot() {
        generatorFault.set(() -> {
            throw new StackOverflowError("deep recursion in a renderer");
        });
        String id = claimNewJob();
        run(id);

        Map<String, String> job = jobs.get(id);
        assertEquals("failed", job.get("status"), "an Error fails the job: " + job);
        assertEquals("false", job.get("retryable"));
        assertEquals(JobWorker.INTERNAL_ERROR, job.get("error"), "a client-fit error, no internals");
        assertEquals("1", job.get("attempts"), "one attempt, no retry");
        assertEquals(0, redis.clients().template().opsForZSet().size(DELAYED), "no retry scheduled");
        assertTrue(jobs.processing(WORKER).isEmpty(), "acknowledged: it left the processing list");
        assertFalse(state.isRunning(id), "the node no longer counts it as running");
        assertNotNull(partialOutput.get());
        assertFalse(Files.exists(partialOutput.get()), "the partial temp file is removed");
        assertTrue(jobs.logs(id, 10).stream().anyMatch(l -> l.endsWith("failed: " + JobWorker.INTERNAL_ERROR)),
                jobs.logs(id, 10).toString());
    }

    @Test
    void runningOutOfMemoryIsRetriedLikeATransientFailure() {
        generatorFault.set(() -> {
            throw new OutOfMemoryError("Direct buffer memory");
        });
        String id = claimNewJob();
        run(id);

        Map<String, String> job = jobs.get(id);
        assertEquals("queued", job.get("status"), "waiting for its retry: " + job);
        assertEquals(1L, redis.clients().template().opsForZSet().size(DELAYED), "a retry is scheduled");
        assertTrue(jobs.processing(WORKER).isEmpty(), "acknowledged: it left the processing list");
        assertFalse(state.isRunning(id), "the node no longer counts it as running");
        assertTrue(jobs.logs(id, 10).stream().anyMatch(l -> l.contains(JobWorker.OUT_OF_MEMORY)),
                jobs.logs(id, 10).toString());
    }

    /**
     * An Error from a step that is not a bean (a producer, such as a storage client allocating its buffer): without
     * {@link StepInterceptor} it bypasses onException and reaches the thread that runs the job, which for a claim loop
     * ends the loop and leaves the job running forever.
     */
    @Test
    void anErrorOutsideABeanIsHandledLikeOneInsideAndTheJobThreadLivesOn() {
        generatorFault.set(() -> { });
        uploadFault.set(() -> {
            throw new OutOfMemoryError("Java heap space");
        });
        String id = claimNewJob();
        assertDoesNotThrow(() -> run(id), "the Error stays inside the route");

        Map<String, String> job = jobs.get(id);
        assertEquals("queued", job.get("status"), "waiting for its retry: " + job);
        assertEquals(1L, redis.clients().template().opsForZSet().size(DELAYED), "a retry is scheduled");
        assertTrue(jobs.processing(WORKER).isEmpty(), "acknowledged: it left the processing list");
        assertFalse(state.isRunning(id), "the node no longer counts it as running");
    }

    /**
     * The worst case: an Error while Redis refuses writes, so neither the failure nor the acknowledgement can be
     * recorded. The slot is freed all the same, and the own-orphan sweep then gives the job back as a new attempt,
     * until max-attempts fails it: it never stays in the processing list.
     */
    @Test
    void anErrorWhoseFailureCannotBeRecordedStillFreesTheSlotAndTheSweepEndsTheJob() {
        generatorFault.set(() -> {
            // Redis stops taking writes (scripts included) for 1.5 s, then the job thread meets an Error.
            redis.clients().template().execute(c -> c.execute("CLIENT",
                    "PAUSE".getBytes(StandardCharsets.UTF_8), "1500".getBytes(StandardCharsets.UTF_8),
                    "WRITE".getBytes(StandardCharsets.UTF_8)), true);
            throw new OutOfMemoryError("Java heap space");
        });
        Reaper reaper = new Reaper(jobs, new PipelineMetrics(jobs), WORKER, Duration.ofSeconds(10), 2);
        String id = claimNewJob();

        run(id);
        assertFalse(state.isRunning(id), "the slot is freed although nothing could be recorded");
        awaitWritable();
        assertEquals("started", jobs.get(id).get("status"), "its end was not recorded");
        assertEquals(List.of(id), jobs.processing(WORKER), "still in the processing list");
        assertTrue(reaper.reclaimOrphans(state::isRunning).isEmpty(), "first pass: only suspected");
        assertTrue(reaper.reclaimOrphans(state::isRunning).isEmpty(), "second pass: requeued, not failed");
        assertEquals("queued", jobs.get(id).get("status"), "given back to the queue as a new attempt");
        assertTrue(jobs.processing(WORKER).isEmpty());

        assertEquals(id, jobs.claim(WORKER, Duration.ofSeconds(1)));
        run(id);
        assertFalse(state.isRunning(id));
        awaitWritable();
        assertEquals("2", jobs.get(id).get("attempts"));
        reaper.reclaimOrphans(state::isRunning);
        assertEquals(List.of(id), reaper.reclaimOrphans(state::isRunning), "failed on its last attempt");
        Map<String, String> job = jobs.get(id);
        assertEquals("failed", job.get("status"), job.toString());
        assertEquals(JobStore.ATTEMPTS_EXHAUSTED, job.get("error"));
        assertTrue(jobs.processing(WORKER).isEmpty(), "nothing stays in the processing list");
    }

    /**
     * A start whose Redis reply is lost (the call timed out after Redis made the move) is not failed: whether the
     * job started is not known, so it stays in the processing list and the own-orphan sweep gives it back as a new
     * attempt. Before, it was failed at once, "Processing failed", without a retry.
     */
    @Test
    void aStartWhoseReplyIsLostGoesBackToTheQueueInsteadOfFailing() {
        generatorFault.set(() -> { });
        loseNextStartReply.set(true);
        Reaper reaper = new Reaper(jobs, new PipelineMetrics(jobs), WORKER, Duration.ofSeconds(10), 3);
        String id = claimNewJob();

        run(id);
        assertFalse(state.isRunning(id), "the slot is freed");
        Map<String, String> job = jobs.get(id);
        assertEquals("started", job.get("status"), "not failed: " + job);
        assertEquals(List.of(id), jobs.processing(WORKER), "left in the processing list for the sweep");
        assertTrue(reaper.reclaimOrphans(state::isRunning).isEmpty(), "first pass: only suspected");
        assertTrue(reaper.reclaimOrphans(state::isRunning).isEmpty(), "second pass: requeued, not failed");
        assertEquals("queued", jobs.get(id).get("status"), "given back to the queue as a new attempt");
        assertTrue(jobs.processing(WORKER).isEmpty());
    }

    /**
     * A job claimed just before the node began to stop reaches the start after the stop has found nothing running:
     * it is not started (the stop's timer is gone, which failed it "Processing failed"), and stays in the processing
     * list, which the stopping node gives back to the queue.
     */
    @Test
    void aJobClaimedAsTheNodeStopsIsNotStartedAndStaysForTheQueue() throws Exception {
        String id = claimNewJob();
        assertEquals(0, state.stop(Duration.ZERO), "the stop finds nothing running");

        run(id);
        Map<String, String> job = jobs.get(id);
        assertEquals("queued", job.get("status"), "not started, not failed: " + job);
        assertEquals(List.of(id), jobs.processing(WORKER), "still claimed, for the stop to give back");
        assertFalse(state.isRunning(id));
    }

    /** Polls until Redis takes writes again (the pause ends). */
    private static void awaitWritable() {
        await(() -> {
            try {
                redis.clients().template().opsForValue().set("probe", "1");
                return true;
            } catch (DataAccessException e) {
                return false;
            }
        }, Duration.ofSeconds(10));
    }

    private static void await(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not met within " + timeout);
        }
    }
}
