package io.ttv.pipeline.processing;

import io.ttv.pipeline.core.config.PipelineConfig;
import io.ttv.pipeline.core.config.PipelineConfig.Role;
import io.ttv.pipeline.core.flow.Flow;
import io.ttv.pipeline.core.flow.FlowNames;
import io.ttv.pipeline.core.flow.NodeContext;
import io.ttv.pipeline.core.tracing.JobTrace;
import org.apache.camel.RoutesBuilder;

import java.time.Duration;
import java.util.List;

/**
 * The processing flow, published as a {@link Flow} service; runs on worker nodes. Its claim loops, heartbeat,
 * reaper and retry promotion ({@link QueueRoutes}) feed the job steps ({@link ProcessingRoutes}) and the upload
 * ({@link StorageRoutes}). Removing it lets running jobs finish within the grace period and returns the rest.
 */
public class ProcessingFlow implements Flow {
    @Override
    public String name() {
        return FlowNames.PROCESSING;
    }

    @Override
    public boolean runsOn(Role role) {
        return role.runsWorkers();
    }

    @Override
    public List<RoutesBuilder> routes(NodeContext node) {
        PipelineConfig config = node.config();
        Duration heartbeatTtl = Duration.ofSeconds(config.heartbeatSeconds());
        WorkerState state = new WorkerState(Duration.ofSeconds(config.jobTimeoutSeconds()));
        JobWorker worker = new JobWorker(node.jobs(), node.generators(), node.artifacts(), node.metrics(),
                node.mapper(), state, config.maxAttempts(), Duration.ofSeconds(config.retryBackoffSeconds()),
                node.tracing());
        worker.onProgress(node.outbox()::progress);
        Reaper reaper = new Reaper(node.jobs(), node.metrics(), node.workerId(), heartbeatTtl, config.maxAttempts());
        return List.of(
                new QueueRoutes(node.jobs(), reaper, state, node.outbox(), node.workerId(),
                        config.workerConcurrency(), heartbeatTtl, Duration.ofSeconds(config.shutdownGraceSeconds()),
                        new JobTrace(node.tracing(), node.jobs())),
                new ProcessingRoutes(worker, node.outbox()),
                new StorageRoutes(worker, node.metrics()));
    }
}
