package io.ttv.pipeline.core.http;

import java.util.Map;

/** A failure with a defined API answer (status, error code, details); thrown by steps, written by {@link ApiErrorConfiguration}. */
public class ApiException extends RuntimeException {
    private final int status;
    private final String code;
    private final Map<String, Object> details;
    private final boolean retryable;

    public ApiException(int status, String code, String message, Map<String, Object> details, boolean retryable) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.details = details;
        this.retryable = retryable;
    }

    public static ApiException jobNotFound(String id) {
        return new ApiException(404, "JobNotFound", "No job with id " + (id == null ? "" : id),
                Map.of("job_id", id == null ? "" : id), false);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public Map<String, Object> details() {
        return details;
    }

    public boolean retryable() {
        return retryable;
    }
}
