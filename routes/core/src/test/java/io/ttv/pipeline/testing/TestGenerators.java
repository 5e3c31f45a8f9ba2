package io.ttv.pipeline.testing;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ttv.pipeline.core.generator.Generators;
import io.ttv.pipeline.generator.VideoGenerator;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** A node's generators as the tests need them: these, configured and available. */
public final class TestGenerators {
    private TestGenerators() {
    }

    public static Generators of(VideoGenerator... generators) {
        Generators out = new Generators(Arrays.stream(generators).map(VideoGenerator::name)
                .collect(Collectors.toSet()), new SimpleMeterRegistry());
        out.offer(List.of(generators));
        return out;
    }
}
