package io.ttv.pipeline.routes;

/** Internal endpoint URIs and exchange header names shared by the route builders. */
public final class Endpoints {
    public static final String CREATE_JOB = "direct:intake-create-job";
    public static final String GET_JOB = "direct:intake-get-job";
    public static final String LIST_JOBS = "direct:intake-list-jobs";
    public static final String CANCEL_JOB = "direct:intake-cancel-job";
    public static final String JOB_LOGS = "direct:intake-job-logs";
    public static final String ARTIFACT_LINK = "direct:storage-artifact-link";
    public static final String COMPAT_CREATE_JOB = "direct:intake-compat-create-job";
    public static final String COMPAT_GET_JOB = "direct:intake-compat-get-job";
    public static final String COMPAT_LIST_JOBS = "direct:intake-compat-list-jobs";
    public static final String COMPAT_VIDEO_URL = "direct:storage-compat-video-url";
    public static final String ADMIN_LIST_DEAD_LETTERS = "direct:admin-list-dead-letters";
    public static final String ADMIN_REPLAY_DEAD_LETTER = "direct:admin-replay-dead-letter";
    public static final String ADMIN_REPLAY_DEAD_LETTERS = "direct:admin-replay-dead-letters";
    public static final String ROOT = "direct:ops-root";
    public static final String OPENAPI = "direct:ops-openapi";
    public static final String HEALTHZ = "direct:ops-healthz";
    public static final String READYZ = "direct:ops-readyz";
    public static final String METRICS = "direct:ops-metrics";
    public static final String PROCESS_JOB = "direct:processing-run-job";
    public static final String UPLOAD = "direct:storage-upload";
    public static final String CALLBACKS = "seda:callbacks-outbox";

    /** The job an exchange is about. */
    public static final String JOB_ID = "TtvJobId";
    /** The job hash as read at claim time. */
    public static final String JOB = "TtvJob";
    /** The worker that claimed the job. */
    public static final String WORKER_ID = "TtvWorkerId";
    /** The rendered video file (a temp file owned by the exchange). */
    public static final String VIDEO_FILE = "TtvVideoFile";
    /** Seconds a job read may wait for the job to change ({@code ?wait=}). */
    public static final String WAIT_SECONDS = "TtvWaitSeconds";
    /** Lifetime in seconds of a requested signed artifact URL. */
    public static final String EXPIRES_IN = "TtvExpiresIn";
    /** When the current upload began (for {@code gcs_upload_duration_seconds}). */
    public static final String UPLOAD_STARTED = "TtvUploadStarted";
    /** Callback event type ({@code started}, {@code finished} …). */
    public static final String CALLBACK_EVENT = "TtvCallbackEvent";

    private Endpoints() {
    }
}
