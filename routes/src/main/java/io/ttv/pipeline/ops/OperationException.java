package io.ttv.pipeline.ops;

/** A console operation that cannot be done (unknown id, refused move); its message is one line for the operator. */
public class OperationException extends RuntimeException {
    public OperationException(String message) {
        super(message);
    }
}
