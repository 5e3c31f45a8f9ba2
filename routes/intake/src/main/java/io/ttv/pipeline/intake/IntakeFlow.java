package io.ttv.pipeline.intake;

import io.ttv.pipeline.core.config.PipelineConfig;
import io.ttv.pipeline.core.config.PipelineConfig.Role;
import io.ttv.pipeline.core.domain.CreateJobRequest;
import io.ttv.pipeline.core.flow.Flow;
import io.ttv.pipeline.core.flow.FlowNames;
import io.ttv.pipeline.core.flow.NodeContext;
import org.apache.camel.RoutesBuilder;

import java.util.List;

/** The intake flow, published by this bundle's Blueprint as a {@link Flow} service; runs on API nodes. */
public class IntakeFlow implements Flow {
    /** Long-polls that may wait at once; beyond that a read answers at once, so short requests keep threads. */
    static final int MAX_LONG_POLLS = 96;

    @Override
    public String name() {
        return FlowNames.INTAKE;
    }

    @Override
    public boolean runsOn(Role role) {
        return role.runsApi();
    }

    @Override
    public List<RoutesBuilder> routes(NodeContext node) {
        PipelineConfig config = node.config();
        CreateJobRequest.Rules rules = new CreateJobRequest.Rules(node.generators().names(),
                config.defaultGenerator(), config.callbackAllowHttp(), config.callbackAllowPrivate());
        JobEvents events = new JobEvents(MAX_LONG_POLLS);
        JobIntake intake = new JobIntake(node.api(), node.jobs(), node.metrics(), rules, events, node.tracing(),
                node.limiter());
        return List.of(new IntakeRoutes(intake, new ArtifactLinks(node.api(), node.artifacts()), events,
                node.jobs().keys()));
    }
}
