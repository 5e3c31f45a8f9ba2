package io.ttv.pipeline.generator;

import java.util.Map;

/**
 * Immutable description of one video to generate.
 *
 * @param jobId           caller's job identifier (used only for messages/logging)
 * @param prompt          the text prompt
 * @param durationSeconds requested duration, 1..60 seconds, may be fractional
 * @param aspectRatio     one of {@code "16:9"}, {@code "9:16"}, {@code "1:1"}
 * @param seed            optional seed; {@code null} means "derive a fixed seed from the prompt" (local) or "let the
 *                        provider choose" (remote backends)
 * @param params          extra provider-specific input, merged as-is into a remote backend's request body (never
 *                        {@code null}; empty for the local generator)
 */
public record GenerationRequest(String jobId, String prompt, double durationSeconds, String aspectRatio, Long seed,
                                Map<String, Object> params) {

    public GenerationRequest {
        params = params == null ? Map.of() : Map.copyOf(params);
    }

    /** A request without provider-specific parameters. */
    public GenerationRequest(String jobId, String prompt, double durationSeconds, String aspectRatio, Long seed) {
        this(jobId, prompt, durationSeconds, aspectRatio, seed, Map.of());
    }
}
