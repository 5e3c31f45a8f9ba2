package io.ttv.pipeline.core.generator;

import io.ttv.pipeline.generator.GenerationException;
import io.ttv.pipeline.generator.GenerationRequest;
import io.ttv.pipeline.generator.ProgressListener;
import io.ttv.pipeline.generator.VideoGenerator;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InstrumentedGeneratorTest {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicReference<String> mdcSeen = new AtomicReference<>();

    private VideoGenerator fake(Exception toThrow) {
        return new VideoGenerator() {
            @Override
            public String name() {
                return "fake";
            }

            @Override
            public void generate(GenerationRequest request, Path output, ProgressListener listener)
                    throws GenerationException, InterruptedException {
                mdcSeen.set(MDC.get("job_id"));
                if (toThrow instanceof GenerationException g) {
                    throw g;
                }
                if (toThrow instanceof InterruptedException i) {
                    throw i;
                }
            }
        };
    }

    private final GenerationRequest request = new GenerationRequest("job-7", "p", 2, "16:9", null);

    @Test
    void countsCallsErrorsByClassAndDuration() throws Exception {
        new InstrumentedGenerator(fake(null), registry).generate(request, Path.of("x"), null);
        VideoGenerator retry = new InstrumentedGenerator(fake(new GenerationException("busy", true, null)), registry);
        assertThrows(GenerationException.class, () -> retry.generate(request, Path.of("x"), null));
        VideoGenerator perm = new InstrumentedGenerator(fake(new GenerationException("bad", false, null)), registry);
        assertThrows(GenerationException.class, () -> perm.generate(request, Path.of("x"), null));
        VideoGenerator intr = new InstrumentedGenerator(fake(new InterruptedException()), registry);
        assertThrows(InterruptedException.class, () -> intr.generate(request, Path.of("x"), null));

        String text = registry.scrape();
        assertTrue(text.contains("generator_requests_total{generator=\"fake\"} 4.0"), text);
        assertTrue(text.contains("generator_errors_total{class=\"retryable\",generator=\"fake\"} 1.0"), text);
        assertTrue(text.contains("generator_errors_total{class=\"not_retryable\",generator=\"fake\"} 1.0"), text);
        assertTrue(text.contains("generator_errors_total{class=\"interrupted\",generator=\"fake\"} 1.0"), text);
        assertTrue(text.contains("generator_duration_seconds_count{generator=\"fake\"} 4"), text);
    }

    @Test
    void theJobIdIsInTheMdcDuringTheCallUnlessTheCallerSetOne() throws Exception {
        // slf4j-simple (the test binding) has a no-op MDC; Karaf's pax-logging keeps it.
        MDC.put("probe", "1");
        org.junit.jupiter.api.Assumptions.assumeTrue("1".equals(MDC.get("probe")), "the SLF4J binding keeps no MDC");
        MDC.remove("probe");
        new InstrumentedGenerator(fake(null), registry).generate(request, Path.of("x"), null);
        assertEquals("job-7", mdcSeen.get());
        assertNull(MDC.get("job_id"));
        MDC.put("job_id", "outer");
        try {
            new InstrumentedGenerator(fake(null), registry).generate(request, Path.of("x"), null);
            assertEquals("outer", mdcSeen.get());
            assertEquals("outer", MDC.get("job_id"));
        } finally {
            MDC.remove("job_id");
        }
    }
}
