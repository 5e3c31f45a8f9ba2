package io.ttv.pipeline.processing;

import io.ttv.pipeline.core.config.PipelineConfig.Role;
import io.ttv.pipeline.core.flow.Flow;
import io.ttv.pipeline.core.flow.FlowNames;
import io.ttv.pipeline.core.flow.NodeContext;
import org.apache.camel.RoutesBuilder;

import java.util.List;

/**
 * The retention sweep of terminal jobs ({@link RetentionRoutes}), published by the processing bundle as a flow of
 * its own because every node runs it, whatever its role: an API-only fleet still forgets old jobs.
 */
public class RetentionFlow implements Flow {
    @Override
    public String name() {
        return FlowNames.RETENTION;
    }

    @Override
    public boolean runsOn(Role role) {
        return true;
    }

    @Override
    public List<RoutesBuilder> routes(NodeContext node) {
        return List.of(new RetentionRoutes(node.jobs(), node.admin(), node.workerId(), node.config().jobRetention()));
    }
}
