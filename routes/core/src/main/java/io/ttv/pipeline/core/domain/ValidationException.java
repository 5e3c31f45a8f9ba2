package io.ttv.pipeline.core.domain;

import java.util.Map;

/** Client input that breaks the contract; becomes a 400 {@code ValidationError} with these details. */
public class ValidationException extends RuntimeException {
    private final Map<String, Object> details;

    public ValidationException(String message, Map<String, Object> details) {
        super(message);
        this.details = details;
    }

    public Map<String, Object> details() {
        return details;
    }
}
