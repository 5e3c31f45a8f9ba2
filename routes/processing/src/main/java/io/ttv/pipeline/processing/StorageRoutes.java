package io.ttv.pipeline.processing;

import io.ttv.pipeline.core.metrics.PipelineMetrics;
import org.apache.camel.builder.RouteBuilder;

import java.time.Duration;
import java.time.Instant;

/** Uploads a job's video and manifest ({@code ArtifactStore#upload}: one request each, metadata included). */
public class StorageRoutes extends RouteBuilder {
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
        from(ProcessingEndpoints.UPLOAD).routeId("storage-upload").errorHandler(noErrorHandler())
                .process(e -> e.setProperty(ProcessingEndpoints.UPLOAD_STARTED, Instant.now()))
                .bean(worker, "uploadVideo")
                .bean(worker, "uploadManifest")
                .process(e -> metrics.uploaded(
                        Duration.between(e.getProperty(ProcessingEndpoints.UPLOAD_STARTED, Instant.class), Instant.now())))
                .log("Job ${exchangeProperty.TtvJobId} artifacts uploaded");
    }
}
