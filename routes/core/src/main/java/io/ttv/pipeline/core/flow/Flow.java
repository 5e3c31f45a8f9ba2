package io.ttv.pipeline.core.flow;

import io.ttv.pipeline.core.config.PipelineConfig.Role;
import org.apache.camel.RoutesBuilder;

import java.util.List;

/**
 * One swappable flow of the pipeline (intake, processing, callbacks, admin). A flow bundle publishes it as an OSGi
 * service; the core adds its routes to the node's running CamelContext while the service is registered and takes
 * them away, gracefully, when it goes ({@link FlowRoutes}). The core's REST routes reach a flow through
 * {@code direct:} endpoints, whose callers wait while a flow is being replaced.
 */
public interface Flow {
    /** The flow's name ({@code intake}, {@code processing} …, see {@link FlowNames}). */
    String name();

    /** Whether a node of this role runs the flow. */
    boolean runsOn(Role role);

    /**
     * New route builders for one node, built over its long-lived parts. Called once per node start: a
     * reconfigured node asks again. A builder that holds work in progress implements {@link Drainable}.
     */
    List<RoutesBuilder> routes(NodeContext node);
}
