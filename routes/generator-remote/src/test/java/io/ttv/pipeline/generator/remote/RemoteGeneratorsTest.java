package io.ttv.pipeline.generator.remote;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ttv.pipeline.core.config.ConfigException;
import io.ttv.pipeline.core.config.PipelineConfig;
import io.ttv.pipeline.generator.VideoGenerator;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which backends exist follows from which keys are configured; keys never show in messages. */
class RemoteGeneratorsTest {
    private static Map<String, VideoGenerator> build(Map<String, String> env) {
        PipelineConfig c = PipelineConfig.resolve(Map.of(), env);
        return RemoteGenerators.configured(c.generators(), new ObjectMapper(), (u, t, m) -> {
        });
    }

    @Test
    void noKeysNoRemoteBackends() {
        assertTrue(build(Map.of()).isEmpty());
    }

    @Test
    void eachKeyEnablesItsBackend() {
        Map<String, VideoGenerator> g = build(Map.of("TTV_FAL_API_KEY", "k1", "TTV_RUNWAY_API_KEY", "k2",
                "TTV_VEO_API_KEY", "tok", "TTV_VEO_PROJECT", "p"));
        assertEquals(List.of("fal", "runway", "veo"), List.copyOf(g.keySet()));
        assertEquals(Duration.ofSeconds(1800), g.get("fal").timeout().orElseThrow());
    }

    @Test
    void pidKeysWorkLikeEnvironmentVariables() {
        PipelineConfig c = PipelineConfig.resolve(Map.of("ttv.generators", Map.of("minimax.api-key", "k",
                "minimax.base-url", "http://127.0.0.1:9/", "minimax.timeout.seconds", "60")), Map.of());
        assertEquals("http://127.0.0.1:9", c.generators().minimax().baseUrl());
        assertEquals(Duration.ofSeconds(60), c.generators().minimax().timeout());
        assertTrue(RemoteGenerators.configured(c.generators(), new ObjectMapper(), null).containsKey("minimax"));
    }

    @Test
    void veoNeedsAProject() {
        assertThrows(ConfigException.class, () -> build(Map.of("TTV_VEO_API_KEY", "tok")));
    }

    @Test
    void anInvalidValueIsReportedWithoutTheKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> PipelineConfig.resolve(Map.of(),
                Map.of("TTV_REPLICATE_API_KEY", "r8_secret", "TTV_REPLICATE_BASE_URL", "ftp://nope")));
        assertTrue(e.getMessage().contains("TTV_REPLICATE_BASE_URL"), e.getMessage());
        assertFalse(e.getMessage().contains("r8_secret"));
        PipelineConfig c = PipelineConfig.resolve(Map.of(), Map.of("TTV_REPLICATE_API_KEY", "r8_secret"));
        assertFalse(c.toString().contains("r8_secret"), "config toString hides keys");
    }
}
