package io.ttv.pipeline.routes;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.RestParamType;

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
        RestDefinition admin = rest("/v1/admin/callbacks/dead-letters")
                .description("Callbacks given up on after their retry schedule");
        admin.get().id("rest-admin-list-dead-letters").description("List dead-lettered callbacks, oldest first")
                .outType(ApiSchemas.DeadLetterList.class)
                .param().name("limit").type(RestParamType.query).dataType("integer")
                .defaultValue(Integer.toString(CallbackAdmin.DEFAULT_LIMIT))
                .description("Entries to return, 1.." + CallbackAdmin.MAX_LIMIT).endParam()
                .responseMessage().code(200).message("Dead letters").responseModel(ApiSchemas.DeadLetterList.class)
                .endResponseMessage()
                .responseMessage().code(400).message("Invalid limit").endResponseMessage()
                .to(Endpoints.ADMIN_LIST_DEAD_LETTERS);
        admin.post("/{id}/replay").id("rest-admin-replay-dead-letter")
                .description("Send one dead-lettered callback again (dead-lettered anew if it fails again)")
                .outType(ApiSchemas.Replayed.class)
                .param().name("id").type(RestParamType.path).dataType("string")
                .description("Dead letter id (<job id>_<event>)").endParam()
                .responseMessage().code(200).message("Queued for delivery").responseModel(ApiSchemas.Replayed.class)
                .endResponseMessage()
                .responseMessage().code(400).message("ValidationError: malformed id").endResponseMessage()
                .responseMessage().code(404).message("NotFound: no such dead letter").endResponseMessage()
                .to(Endpoints.ADMIN_REPLAY_DEAD_LETTER);
        admin.post("/replay").id("rest-admin-replay-dead-letters").description("Send every dead-lettered callback again")
                .outType(ApiSchemas.Replayed.class)
                .responseMessage().code(200).message("How many were queued for delivery")
                .responseModel(ApiSchemas.Replayed.class).endResponseMessage()
                .to(Endpoints.ADMIN_REPLAY_DEAD_LETTERS);

        // One route per REST verb (the REST DSL inlines the route it calls).
        from(Endpoints.ADMIN_LIST_DEAD_LETTERS).routeId("admin-list-dead-letters")
                .routeConfigurationId(ApiErrorConfiguration.API_ERRORS)
                .bean(callbacks, "list");
        from(Endpoints.ADMIN_REPLAY_DEAD_LETTER).routeId("admin-replay-dead-letter")
                .routeConfigurationId(ApiErrorConfiguration.API_ERRORS)
                .log("Replaying dead-lettered callback ${header.id} (HTTP admin)")
                .bean(callbacks, "replay");
        from(Endpoints.ADMIN_REPLAY_DEAD_LETTERS).routeId("admin-replay-dead-letters")
                .routeConfigurationId(ApiErrorConfiguration.API_ERRORS)
                .log("Replaying every dead-lettered callback (HTTP admin)")
                .bean(callbacks, "replayAll");
    }
}
