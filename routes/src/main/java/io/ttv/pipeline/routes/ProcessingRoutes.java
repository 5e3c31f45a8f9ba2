package io.ttv.pipeline.routes;

import org.apache.camel.builder.RouteBuilder;

/**
 * Runs one claimed job: start → render → upload → finish, in that order. Any failure marks the job failed;
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
                    .setHeader(Endpoints.CALLBACK_EVENT, constant("failed"))
                    .to(Endpoints.CALLBACKS)
                .end()
                .onCompletion().bean(worker, "release").end()
                .bean(worker, "start")
                .filter(exchangeProperty(JobWorker.SKIPPED).isEqualTo(true)).stop().end()
                .setHeader(Endpoints.CALLBACK_EVENT, constant("started"))
                .to(Endpoints.CALLBACKS)
                .bean(worker, "generate")
                .to(Endpoints.UPLOAD)
                .bean(worker, "finish")
                .setHeader(Endpoints.CALLBACK_EVENT, constant("finished"))
                .to(Endpoints.CALLBACKS);
    }
}
