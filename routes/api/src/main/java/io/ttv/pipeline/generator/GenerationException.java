package io.ttv.pipeline.generator;

/**
 * Generation failed. {@link #getMessage()} is a message safe to show to the client (no paths, no stack traces, no
 * credentials); the technical reason, if any, is the {@link #getCause() cause}.
 */
public class GenerationException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why a generation failed, as counted in {@code generator_errors_total{class}}. */
    public enum Kind {
        /** Transient: timeouts, 429, 5xx, connection failures. */
        RETRYABLE,
        /** Permanent: invalid input, refused credentials, content refused, result too large, malformed answers. */
        NOT_RETRYABLE,
        /** The call was canceled through its {@link CancelToken}. */
        CANCELED
    }

    private final boolean retryable;
    private final Kind kind;

    public GenerationException(String clientMessage, boolean retryable, Throwable cause) {
        this(clientMessage, retryable ? Kind.RETRYABLE : Kind.NOT_RETRYABLE, cause);
    }

    public GenerationException(String clientMessage, Kind kind, Throwable cause) {
        super(clientMessage, cause);
        this.kind = kind;
        this.retryable = kind == Kind.RETRYABLE;
    }

    public static GenerationException canceled() {
        return new GenerationException("The generation was canceled", Kind.CANCELED, null);
    }

    /** {@code true} if trying the same request again may succeed (e.g. transient I/O failure). */
    public boolean isRetryable() {
        return retryable;
    }

    public Kind kind() {
        return kind;
    }
}
