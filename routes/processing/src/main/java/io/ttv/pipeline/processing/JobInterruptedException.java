package io.ttv.pipeline.processing;

/** The render of a job was interrupted: by a cancel signal, or by the node stopping. */
public class JobInterruptedException extends RuntimeException {
    public JobInterruptedException(String jobId, InterruptedException cause) {
        super("job " + jobId + " was interrupted", cause);
    }
}
