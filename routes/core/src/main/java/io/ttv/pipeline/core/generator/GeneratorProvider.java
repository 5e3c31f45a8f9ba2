package io.ttv.pipeline.core.generator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.storage.Storage;
import io.ttv.pipeline.core.config.GeneratorSettings;
import io.ttv.pipeline.generator.VideoGenerator;

import java.util.List;

/**
 * What a generator bundle publishes as an OSGi service: the generators it offers under the node's configuration. The
 * core asks every provider when the node starts and whenever a provider comes or goes, so a generator bundle can be
 * updated alone, without the flows that use its generators.
 */
public interface GeneratorProvider {
    /**
     * The generators this provider offers with these settings; none when none is configured.
     *
     * @throws io.ttv.pipeline.core.config.ConfigException when a configured generator cannot be built
     */
    List<VideoGenerator> generators(Environment environment);

    /** The node's parts a generator may use. */
    record Environment(GeneratorSettings settings, ObjectMapper mapper, Storage storage) {
    }
}
