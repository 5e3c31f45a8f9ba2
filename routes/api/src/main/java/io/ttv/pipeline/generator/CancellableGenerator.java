package io.ttv.pipeline.generator;

import java.nio.file.Path;

/**
 * A generator that watches a {@link CancelToken} itself (remote backends that poll, wrappers): it implements the
 * call with a token, and the call without one runs it with {@link CancelToken#none()}.
 */
public interface CancellableGenerator extends VideoGenerator {
    @Override
    default void generate(GenerationRequest request, Path output, ProgressListener listener)
            throws GenerationException, InterruptedException {
        generate(request, output, listener, CancelToken.none());
    }

    @Override
    void generate(GenerationRequest request, Path output, ProgressListener listener, CancelToken cancel)
            throws GenerationException, InterruptedException;
}
