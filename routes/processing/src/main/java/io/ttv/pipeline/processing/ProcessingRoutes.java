package io.ttv.pipeline.processing;

import io.ttv.pipeline.core.flow.JobHeaders;

import io.ttv.pipeline.core.callback.CallbackOutbox;
import org.apache.camel.builder.RouteBuilder;

/**
 * Runs one claimed job: start → render → upload → finish, in that order. A cancel signal or the time limit
 * interrupts the render; the job's status is checked again before the upload. Any failure goes to
 * {@link JobWorker#fail} (canceled, back to the queue, retry later, or failed). Every path ends in
 * {@link JobWorker#release}, even when the failure itself cannot be recorded: the temp file is removed, the
 * node stops counting the job as running, and the job leaves the processing list only after its state is settled.
 * Callback events go to the outbox in their own exchanges and never block the job.
 */
public class ProcessingRoutes extends RouteBuilder {

    private final JobWorker worker;
    private final CallbackOutbox outbox;

    public ProcessingRoutes(JobWorker worker, CallbackOutbox outbox) {
        this.worker = worker;
        this.outbox = outbox;
    }

    @Override
    public void configure() {
        // release runs even when recording the failure fails (Redis gone, an Error while failing): the slot and the
        // WorkerState entry are freed, so the own-orphan sweep can give back a job whose end was not recorded.
        onException(Exception.class).handled(true)
                .doTry()
                    .bean(worker, "fail")
                    .process(outbox)
                .doFinally()
                    .bean(worker, "release")
                .end();

        from(ProcessingEndpoints.RUN_JOB).routeId("processing-run-job")
                .bean(worker, "start")
                .choice()
                    .when(exchangeProperty(JobWorker.SKIPPED).isEqualTo(true)).bean(worker, "release")
                    .otherwise().to(ProcessingEndpoints.RENDER_UPLOAD)
                .end();

        from(ProcessingEndpoints.RENDER_UPLOAD).routeId("processing-render-upload")
                .setHeader(JobHeaders.CALLBACK_EVENT, constant("started"))
                .process(outbox)
                .bean(worker, "generate")
                .bean(worker, "beforeUpload")
                .to(ProcessingEndpoints.UPLOAD)
                .bean(worker, "finish")
                .process(outbox)
                .bean(worker, "release");
    }
}
