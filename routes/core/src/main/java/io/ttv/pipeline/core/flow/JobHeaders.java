package io.ttv.pipeline.core.flow;

/** Exchange properties and headers that more than one flow reads; names like Camel's own. */
public final class JobHeaders {
    /** Property: the job an exchange is about (also the {@code job_id} of its log lines). */
    public static final String JOB_ID = "TtvJobId";
    /** Header: the callback event of the current job step ({@code started}, {@code finished} …). */
    public static final String CALLBACK_EVENT = "TtvCallbackEvent";
    /** Property: the job's fields as its worker read them when it started the job (absent elsewhere). */
    public static final String JOB = "TtvJob";

    private JobHeaders() {
    }
}
