package io.ttv.pipeline.core.generator;

import io.ttv.pipeline.generator.CancelToken;
import io.ttv.pipeline.generator.CancellableGenerator;
import io.ttv.pipeline.generator.GenerationException;
import io.ttv.pipeline.generator.GenerationRequest;
import io.ttv.pipeline.generator.ProgressListener;
import io.ttv.pipeline.generator.VideoGenerator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Wraps a generator with its metrics and log lines: {@code generator_requests_total{generator}},
 * {@code generator_errors_total{generator,class}} ({@code class} = {@code retryable}, {@code not_retryable},
 * {@code canceled} or {@code interrupted}) and {@code generator_duration_seconds{generator}} (every call, whatever its
 * end). While the call runs, the MDC key {@code job_id} holds the request's job id unless the caller set it.
 */
public final class InstrumentedGenerator implements CancellableGenerator {
    public static final String MDC_JOB_ID = "job_id";
    private static final Logger LOG = LoggerFactory.getLogger(InstrumentedGenerator.class);

    private final VideoGenerator delegate;
    private final MeterRegistry registry;
    private final Counter requests;
    private final Timer duration;

    public InstrumentedGenerator(VideoGenerator delegate, MeterRegistry registry) {
        this.delegate = delegate;
        this.registry = registry;
        this.requests = Counter.builder("generator_requests").description("Generation calls per generator")
                .tag("generator", delegate.name()).register(registry);
        this.duration = Timer.builder("generator_duration").description("Time of one generation call")
                .tag("generator", delegate.name()).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(100)).maximumExpectedValue(Duration.ofHours(1))
                .register(registry);
    }

    public VideoGenerator delegate() {
        return delegate;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public Optional<Duration> timeout() {
        return delegate.timeout();
    }

    @Override
    public void generate(GenerationRequest request, Path output, ProgressListener listener, CancelToken cancel)
            throws GenerationException, InterruptedException {
        boolean setMdc = request.jobId() != null && MDC.get(MDC_JOB_ID) == null;
        if (setMdc) {
            MDC.put(MDC_JOB_ID, request.jobId());
        }
        requests.increment();
        long start = System.nanoTime();
        LOG.info("Job {}: generation with {} started ({} s, {})", request.jobId(), name(), request.durationSeconds(),
                request.aspectRatio());
        try {
            delegate.generate(request, output, listener, cancel);
            LOG.info("Job {}: generation with {} done in {} ms", request.jobId(), name(), millisSince(start));
        } catch (GenerationException e) {
            error(e.kind().name().toLowerCase(Locale.ROOT));
            LOG.warn("Job {}: generation with {} failed after {} ms ({}): {}", request.jobId(), name(),
                    millisSince(start), e.kind().name().toLowerCase(Locale.ROOT), e.getMessage());
            throw e;
        } catch (InterruptedException e) {
            error("interrupted");
            LOG.info("Job {}: generation with {} interrupted after {} ms", request.jobId(), name(), millisSince(start));
            throw e;
        } catch (RuntimeException | Error e) {
            // An Error fails its job as not retryable too (JobWorker#fail).
            error("not_retryable");
            throw e;
        } finally {
            duration.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
            if (setMdc) {
                MDC.remove(MDC_JOB_ID);
            }
        }
    }

    private void error(String kind) {
        Counter.builder("generator_errors").description("Failed generation calls per generator and error class")
                .tag("generator", delegate.name()).tag("class", kind).register(registry).increment();
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }
}
