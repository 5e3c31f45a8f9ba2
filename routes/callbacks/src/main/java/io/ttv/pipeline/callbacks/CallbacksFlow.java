package io.ttv.pipeline.callbacks;

import io.ttv.pipeline.core.config.PipelineConfig;
import io.ttv.pipeline.core.config.PipelineConfig.Role;
import io.ttv.pipeline.core.domain.CallbackTargets;
import io.ttv.pipeline.core.flow.FlowNames;
import io.ttv.pipeline.core.flow.Flow;
import io.ttv.pipeline.core.flow.NodeContext;
import io.ttv.pipeline.core.tracing.JobTrace;
import org.apache.camel.RoutesBuilder;

import java.time.Duration;
import java.util.List;

/**
 * The callbacks flow, published as a {@link Flow} service. Every node runs it: a node makes the first attempt of the
 * events it queued (its jobs', an operator's replay), and every node takes the deliveries that are due in Redis
 * (retries, and those whose node went away).
 */
public class CallbacksFlow implements Flow {
    @Override
    public String name() {
        return FlowNames.CALLBACKS;
    }

    @Override
    public boolean runsOn(Role role) {
        return true;
    }

    @Override
    public List<RoutesBuilder> routes(NodeContext node) {
        PipelineConfig config = node.config();
        return List.of(new CallbackRoutes(new CallbackDelivery(node.jobs(), node.callbacks(), node.mapper(),
                config.callbackSecret(), config.callbackAllowPrivate(), Duration.ofMillis(config.callbackTimeoutMs()),
                config.callbackRetrySchedule(), node.metrics(), CallbackTargets.SYSTEM, node.tracing()),
                new JobTrace(node.tracing(), node.jobs())));
    }
}
