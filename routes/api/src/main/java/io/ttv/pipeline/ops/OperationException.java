package io.ttv.pipeline.ops;

/**
 * An operation that cannot be done (unknown id, refused move); its message is one line for the operator. The
 * {@link Reason} lets the HTTP admin endpoints answer with the matching status.
 */
public class OperationException extends RuntimeException {
    public enum Reason {
        /** A malformed argument (id, limit). */
        INVALID,
        /** No such job, dead letter or route. */
        NOT_FOUND,
        /** Known and well-formed, but refused in this state or on this node. */
        REFUSED
    }

    private final Reason reason;

    public OperationException(String message) {
        this(Reason.REFUSED, message);
    }

    public OperationException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
