package io.ttv.pipeline.routes;

import io.ttv.pipeline.metrics.PipelineMetrics;
import org.apache.camel.builder.RouteBuilder;

import java.time.Duration;
import java.time.Instant;

/** Uploads a job's video and manifest with camel-google-storage. */
public class StorageRoutes extends RouteBuilder {
    static final String STORAGE = "google-storage://{{gcs.bucket}}?storageClient=#gcsStorage&autoCreateBucket=false";

    private final JobWorker worker;
    private final PipelineMetrics metrics;

    public StorageRoutes(JobWorker worker, PipelineMetrics metrics) {
        this.worker = worker;
        this.metrics = metrics;
    }

    @Override
    public void configure() {
        // No error handler of its own: a failed upload must reach processing-run-job's onException (fail or retry),
        // not be logged and dropped here.
        from(Endpoints.UPLOAD).routeId("storage-upload").errorHandler(noErrorHandler())
                .process(e -> e.setProperty(Endpoints.UPLOAD_STARTED, Instant.now()))
                .bean(worker, "videoUpload")
                .to(STORAGE)
                .bean(worker, "describeUpload")
                .bean(worker, "manifestUpload")
                .to(STORAGE)
                .bean(worker, "describeUpload")
                .process(e -> metrics.uploaded(
                        Duration.between(e.getProperty(Endpoints.UPLOAD_STARTED, Instant.class), Instant.now())))
                .log("Job ${exchangeProperty.TtvJobId} artifacts uploaded");
    }
}
