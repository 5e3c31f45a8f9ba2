package io.ttv.pipeline.core.flow;

/** Where the core's REST routes hand job requests to the intake flow (see docs/architecture.md). */
public final class IntakeEndpoints {
    public static final String CREATE_JOB = "direct:intake-create-job";
    public static final String GET_JOB = "direct:intake-get-job";
    public static final String LIST_JOBS = "direct:intake-list-jobs";
    public static final String CANCEL_JOB = "direct:intake-cancel-job";
    public static final String JOB_LOGS = "direct:intake-job-logs";
    public static final String ARTIFACT_LINK = "direct:intake-artifact-link";
    public static final String COMPAT_CREATE_JOB = "direct:intake-compat-create-job";
    public static final String COMPAT_GET_JOB = "direct:intake-compat-get-job";
    public static final String COMPAT_LIST_JOBS = "direct:intake-compat-list-jobs";
    public static final String COMPAT_VIDEO_URL = "direct:intake-compat-video-url";

    private IntakeEndpoints() {
    }
}
