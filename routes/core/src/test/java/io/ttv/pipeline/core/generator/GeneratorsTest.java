package io.ttv.pipeline.core.generator;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ttv.pipeline.generator.GenerationRequest;
import io.ttv.pipeline.generator.ProgressListener;
import io.ttv.pipeline.generator.VideoGenerator;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A node's generators while their bundles come and go. */
class GeneratorsTest {
    private final Generators generators = new Generators(Set.of("local", "fal"), new SimpleMeterRegistry());

    @Test
    void onlyConfiguredNamesAreTakenAndOffered() {
        assertEquals(List.of("local"), generators.offer(List.of(named("local"), named("runway"))));
        assertEquals(Set.of("local"), generators.available());
        assertEquals(Set.of("local", "fal"), generators.names(), "what a create body may ask for");
    }

    @Test
    void aJobWaitsForAGeneratorWhoseBundleIsBeingReplaced() throws Exception {
        generators.offer(List.of(named("fal")));
        generators.withdraw(List.of("fal"));
        CompletableFuture<VideoGenerator> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return generators.await("fal", Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertFalse(waiting.isDone(), "absent for now: the job waits");
        generators.offer(List.of(named("fal")));
        VideoGenerator back = waiting.get(10, TimeUnit.SECONDS);
        assertEquals("fal", back.name());
        assertTrue(back instanceof InstrumentedGenerator, "offered generators are instrumented");
    }

    @Test
    void anAbsentGeneratorIsGivenUpAfterTheWaitAndAnUnknownOneAtOnce() throws Exception {
        long started = System.nanoTime();
        assertNull(generators.await("fal", Duration.ofMillis(200)));
        assertTrue(System.nanoTime() - started >= Duration.ofMillis(200).toNanos(), "waited for its bundle");
        started = System.nanoTime();
        assertNull(generators.await("veo", Duration.ofSeconds(10)));
        assertTrue(System.nanoTime() - started < Duration.ofSeconds(5).toNanos(), "not configured: no wait");
    }

    private static VideoGenerator named(String name) {
        return new VideoGenerator() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void generate(GenerationRequest request, Path output, ProgressListener listener) {
            }
        };
    }
}
