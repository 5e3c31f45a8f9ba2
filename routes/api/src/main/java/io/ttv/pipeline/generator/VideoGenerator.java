package io.ttv.pipeline.generator;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Turns a {@link GenerationRequest} into a video file on local disk.
 *
 * <p>Contract shared by every backend:
 * <ul>
 *   <li>progress goes to the {@link ProgressListener}: 0..100, never decreasing, 100 only when the file is complete;</li>
 *   <li>errors are {@link GenerationException}s classified retryable or not (docs/generators.md): timeouts, 429, 5xx and
 *       connection failures are retryable; invalid input, refused credentials, other 4xx and content refusals are
 *       not;</li>
 *   <li>cancel: an interrupt of the calling thread (what the worker does on a cancel signal, the job time limit or a
 *       stopping node) or {@link CancelToken#cancel()} aborts the call promptly; a remote backend also cancels the
 *       provider's task where the provider supports it. An interrupt ends in {@link InterruptedException}, a token
 *       cancel in a non-retryable {@link GenerationException};</li>
 *   <li>on any failure the partially written {@code output} file is deleted before the exception is thrown.</li>
 * </ul>
 */
public interface VideoGenerator {

    /** Short, stable identifier of this generator (e.g. {@code "local"}). */
    String name();

    /**
     * Renders the requested video into {@code output}.
     *
     * @throws GenerationException  when the request is invalid (not retryable) or generation fails
     * @throws InterruptedException when the calling thread is interrupted; generation is aborted
     */
    void generate(GenerationRequest request, Path output, ProgressListener listener)
            throws GenerationException, InterruptedException;

    /**
     * As {@link #generate(GenerationRequest, Path, ProgressListener)}, also watching {@code cancel}. The default
     * checks the token before and after the call only; generators that wait on remote work override it.
     */
    default void generate(GenerationRequest request, Path output, ProgressListener listener, CancelToken cancel)
            throws GenerationException, InterruptedException {
        if (cancel.isCanceled()) {
            throw GenerationException.canceled();
        }
        generate(request, output, listener);
    }

    /**
     * This generator's own time limit for one call, if it has one (remote backends do: they give up, retryably,
     * after it). The job's time limit ({@code TTV_JOB_TIMEOUT_SECONDS}) applies on top of it.
     */
    default Optional<Duration> timeout() {
        return Optional.empty();
    }
}
