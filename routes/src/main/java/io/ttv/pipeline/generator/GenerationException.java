package io.ttv.pipeline.generator;

/**
 * Generation failed. {@link #getMessage()} is a message safe to show to the client (no paths, no stack traces);
 * the technical reason, if any, is the {@link #getCause() cause}.
 */
public class GenerationException extends Exception {

    private static final long serialVersionUID = 1L;

    private final boolean retryable;

    public GenerationException(String clientMessage, boolean retryable, Throwable cause) {
        super(clientMessage, cause);
        this.retryable = retryable;
    }

    /** {@code true} if trying the same request again may succeed (e.g. transient I/O failure). */
    public boolean isRetryable() {
        return retryable;
    }
}
