package io.ttv.pipeline.admin;

import io.ttv.pipeline.core.flow.AdminEndpoints;

import io.ttv.pipeline.core.http.ApiErrorConfiguration;

import org.apache.camel.builder.RouteBuilder;

/**
 * Admin endpoints of the HTTP API: the callback dead letters (list, replay one, replay all), protected by the API
 * keys like the job endpoints. They run the console's operations ({@link CallbackAdmin} over
 * {@link io.ttv.pipeline.ops.PipelineOperations}).
 */
public class AdminRoutes extends RouteBuilder {
    private final CallbackAdmin callbacks;

    public AdminRoutes(CallbackAdmin callbacks) {
        this.callbacks = callbacks;
    }

    @Override
    public void configure() {
        from(AdminEndpoints.LIST_DEAD_LETTERS).routeId("admin-list-dead-letters")
                .routeConfigurationId(ApiErrorConfiguration.API_ERRORS)
                .bean(callbacks, "list");
        from(AdminEndpoints.REPLAY_DEAD_LETTER).routeId("admin-replay-dead-letter")
                .routeConfigurationId(ApiErrorConfiguration.API_ERRORS)
                .log("Replaying dead-lettered callback ${header.id} (HTTP admin)")
                .bean(callbacks, "replay");
        from(AdminEndpoints.REPLAY_DEAD_LETTERS).routeId("admin-replay-dead-letters")
                .routeConfigurationId(ApiErrorConfiguration.API_ERRORS)
                .log("Replaying every dead-lettered callback (HTTP admin)")
                .bean(callbacks, "replayAll");
    }
}
