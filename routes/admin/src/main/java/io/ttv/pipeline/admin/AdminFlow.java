package io.ttv.pipeline.admin;

import io.ttv.pipeline.core.config.PipelineConfig.Role;
import io.ttv.pipeline.core.flow.FlowNames;
import io.ttv.pipeline.core.flow.Flow;
import io.ttv.pipeline.core.flow.NodeContext;
import org.apache.camel.RoutesBuilder;

import java.util.List;

/** The admin flow (callback dead letters over HTTP), published as a {@link Flow} service; runs on API nodes. */
public class AdminFlow implements Flow {
    @Override
    public String name() {
        return FlowNames.ADMIN;
    }

    @Override
    public boolean runsOn(Role role) {
        return role.runsApi();
    }

    @Override
    public List<RoutesBuilder> routes(NodeContext node) {
        return List.of(new AdminRoutes(new CallbackAdmin(node.api(), node.operations())));
    }
}
