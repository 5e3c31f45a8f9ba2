package io.ttv.pipeline.processing;

/** Raised between processing steps when the job turns out to be canceled: the remaining steps are skipped. */
public class JobCanceledException extends RuntimeException {
    public JobCanceledException(String jobId) {
        super("job " + jobId + " was canceled", null, false, false);
    }
}
