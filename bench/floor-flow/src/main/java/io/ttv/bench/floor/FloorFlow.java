package io.ttv.bench.floor;

import io.ttv.pipeline.core.config.PipelineConfig.Role;
import io.ttv.pipeline.core.flow.Flow;
import io.ttv.pipeline.core.flow.FlowNames;
import io.ttv.pipeline.core.flow.IntakeEndpoints;
import io.ttv.pipeline.core.flow.NodeContext;
import io.ttv.pipeline.core.http.Api;
import io.ttv.pipeline.core.http.ApiErrorConfiguration;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;

import java.util.List;
import java.util.Map;

/**
 * The "Camel floor" of the intake benchmark: takes the intake flow's place and answers {@code POST /v1/jobs} with the
 * same 202 body shape as a real create, without validating, storing or logging anything. What a request costs
 * through this route is what the platform costs; the rest of the intake's cost is the product's own.
 */
public class FloorFlow implements Flow {
    private static final Map<String, Object> ACCEPTED = Map.of(
            "id", "5453eec8-d6cf-4ff0-a4b5-f20ae043e2c1", "status", "queued", "created_at", "2026-11-28T19:18:59.376Z");

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
        Api api = node.api();
        return List.of(new RouteBuilder() {
            @Override
            public void configure() {
                from(IntakeEndpoints.CREATE_JOB).routeId("floor-create-job")
                        .routeConfigurationId(ApiErrorConfiguration.API_ERRORS)
                        .process(exchange -> accepted(api, exchange));
            }
        });
    }

    private static void accepted(Api api, Exchange exchange) {
        api.respondJob(exchange, 202, ACCEPTED);
    }
}
