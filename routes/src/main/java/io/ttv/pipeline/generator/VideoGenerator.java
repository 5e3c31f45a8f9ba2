package io.ttv.pipeline.generator;

import java.nio.file.Path;

/** Turns a {@link GenerationRequest} into a video file. */
public interface VideoGenerator {

    /** Short, stable identifier of this generator (e.g. {@code "local"}). */
    String name();

    /**
     * Renders the requested video into {@code output}. On any failure (including interruption) the partially written
     * {@code output} file is deleted before the exception is thrown.
     *
     * @throws GenerationException  when the request is invalid (not retryable) or generation fails
     * @throws InterruptedException when the calling thread is interrupted; generation is aborted
     */
    void generate(GenerationRequest request, Path output, ProgressListener listener)
            throws GenerationException, InterruptedException;
}
