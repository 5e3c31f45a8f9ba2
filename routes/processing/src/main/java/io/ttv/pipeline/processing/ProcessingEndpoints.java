package io.ttv.pipeline.processing;

/** The processing flow's own endpoints and exchange properties. */
final class ProcessingEndpoints {
    static final String RUN_JOB = "direct:processing-run-job";
    static final String RENDER_UPLOAD = "direct:processing-render-upload";
    static final String UPLOAD = "direct:storage-upload";

    /** The worker that claimed the job. */
    static final String WORKER_ID = "TtvWorkerId";
    /** The rendered video file (a temp file owned by the exchange). */
    static final String VIDEO_FILE = "TtvVideoFile";
    /** When the current upload began (for {@code gcs_upload_duration_seconds}). */
    static final String UPLOAD_STARTED = "TtvUploadStarted";

    private ProcessingEndpoints() {
    }
}
