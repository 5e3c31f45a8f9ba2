package io.ttv.pipeline.generator.local;

import io.ttv.pipeline.core.generator.GeneratorProvider;
import io.ttv.pipeline.generator.VideoGenerator;

import java.util.List;

/** Publishes the built-in renderer; it needs no configuration. */
public class LocalGeneratorProvider implements GeneratorProvider {
    @Override
    public List<VideoGenerator> generators(Environment environment) {
        return List.of(new LocalVideoGenerator());
    }
}
