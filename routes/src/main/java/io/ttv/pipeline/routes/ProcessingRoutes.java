package io.ttv.pipeline.routes;

import org.apache.camel.builder.RouteBuilder;

/**
 * Runs one claimed job: start → render → upload → finish, in that order. A cancel signal interrupts the render;
 * the job's status is checked again before the upload. Any other failure marks the job failed;
 * in every case the temp file is removed and the job leaves the processing list only after its terminal
 * state is written. Callback events go to the outbox and never block the job.
 */
public class ProcessingRoutes extends RouteBuilder {
    private final JobWorker worker;

    public ProcessingRoutes(JobWorker worker) {
        this.worker = worker;
    }

    @Override
    public void configure() {
        from(Endpoints.PROCESS_JOB).routeId("processing-run-job")
                .onException(Exception.class).handled(true)
                    .bean(worker, "fail")
                    .filter(header(Endpoints.CALLBACK_EVENT).isNotNull()).to(Endpoints.CALLBACKS).end()
                .end()
                .onCompletion().bean(worker, "release").end()
                .bean(worker, "start")
                .filter(exchangeProperty(JobWorker.SKIPPED).isEqualTo(true)).stop().end()
                .setHeader(Endpoints.CALLBACK_EVENT, constant("started"))
                .to(Endpoints.CALLBACKS)
                .bean(worker, "generate")
                .bean(worker, "beforeUpload")
                .to(Endpoints.UPLOAD)
                .bean(worker, "finish")
                .filter(header(Endpoints.CALLBACK_EVENT).isNotNull()).to(Endpoints.CALLBACKS).end();
    }
}
