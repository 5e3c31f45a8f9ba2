package io.ttv.pipeline.generator;

/**
 * Immutable description of one video to generate.
 *
 * @param jobId           caller's job identifier (used only for messages/logging)
 * @param prompt          the text prompt
 * @param durationSeconds requested duration, 1..60 seconds, may be fractional
 * @param aspectRatio     one of {@code "16:9"}, {@code "9:16"}, {@code "1:1"}
 * @param seed            optional seed; {@code null} means "derive a fixed seed from the prompt"
 */
public record GenerationRequest(String jobId, String prompt, double durationSeconds, String aspectRatio, Long seed) {
}
