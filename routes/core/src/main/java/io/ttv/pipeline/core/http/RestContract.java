package io.ttv.pipeline.core.http;

import io.ttv.pipeline.core.config.PipelineConfig.Role;
import io.ttv.pipeline.core.flow.AdminEndpoints;
import io.ttv.pipeline.core.flow.IntakeEndpoints;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.rest.RestBindingMode;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.RestParamType;

/**
 * The stable HTTP contract of a node, owned by the core: every path, verb, parameter and answer (what
 * {@code /openapi.json} publishes). Each REST route hands the request to a {@code direct:} endpoint of the flow that
 * serves it; while that flow's bundle is being replaced, the direct producer waits for the new consumer, so a
 * request is answered late rather than failed (docs/architecture.md, "Swapping a flow").
 */
public class RestContract extends RouteBuilder {
    static final String ROOT = "direct:ops-root";
    static final String OPENAPI = "direct:ops-openapi";
    static final String HEALTHZ = "direct:ops-healthz";
    static final String READYZ = "direct:ops-readyz";
    static final String METRICS = "direct:ops-metrics";

    private final Role role;

    public RestContract(Role role) {
        this.role = role;
    }

    @Override
    public void configure() {
        getContext().getRegistry().bind(ApiHeaderFilterStrategy.BEAN, new ApiHeaderFilterStrategy());
        restConfiguration().component("platform-http").bindingMode(RestBindingMode.off)
                // Never merge a REST route with the flow route it calls: the flow must stay removable.
                .inlineRoutes(false)
                .endpointProperty("headerFilterStrategy", "#" + ApiHeaderFilterStrategy.BEAN);
        rest().tag("Service").description("What the service is, its API document, health and metrics")
                .get("/").id("rest-root").description("What this service is").outType(ApiSchemas.Root.class)
                .responseMessage().code(200).message("Name, version and where the API is described")
                .responseModel(ApiSchemas.Root.class).endResponseMessage()
                .to(ROOT)
                .get("/openapi.json").id("rest-openapi").description("This API's OpenAPI 3 document")
                .responseMessage().code(200).message("The OpenAPI document").endResponseMessage()
                .to(OPENAPI)
                .get("/healthz").id("rest-healthz").description("Liveness").outType(ApiSchemas.Health.class)
                .responseMessage().code(200).message("Alive").responseModel(ApiSchemas.Health.class)
                .endResponseMessage()
                .responseMessage().code(503).message("Not alive: a Camel liveness check is down")
                .responseModel(ApiSchemas.Health.class).endResponseMessage()
                .to(HEALTHZ)
                .get("/readyz").id("rest-readyz").description("Readiness: Redis, GCS, workers and the API")
                .outType(ApiSchemas.Readiness.class)
                .responseMessage().code(200).message("Ready").responseModel(ApiSchemas.Readiness.class)
                .endResponseMessage()
                .responseMessage().code(503).message("Not ready; details say why")
                .responseModel(ApiSchemas.Readiness.class).endResponseMessage()
                .to(READYZ)
                .get("/metrics").id("rest-metrics").description("Prometheus text exposition (version 0.0.4)")
                .responseMessage().code(200).message("Metrics").endResponseMessage()
                .to(METRICS);

        if (role.runsApi()) {
            jobs();
            admin();
        }
    }

    private void jobs() {
        RestDefinition v1 = rest("/v1/jobs").tag("Jobs").description("Text-to-video jobs");
        create(v1.post().id("rest-create-job").description("Submit a job"), IntakeEndpoints.CREATE_JOB);
        v1.get().id("rest-list-jobs").description("List jobs, newest first").outType(ApiSchemas.JobList.class)
                .param().name("limit").type(RestParamType.query).dataType("integer").defaultValue("20")
                .description("Jobs per page, 1..100").endParam()
                .param().name("cursor").type(RestParamType.query).dataType("string")
                .description("next_cursor of the previous page").endParam()
                .param().name("status").type(RestParamType.query).dataType("string")
                .allowableValues("queued", "started", "progress", "finished", "failed", "canceled")
                .description("Only jobs in this status").endParam()
                .responseMessage().code(200).message("A page of jobs").responseModel(ApiSchemas.JobList.class)
                .endResponseMessage()
                .responseMessage().code(400).message("Invalid limit, cursor or status").endResponseMessage()
                .to(IntakeEndpoints.LIST_JOBS);
        getJob(v1.get("/{id}").id("rest-get-job").description("Read a job; optionally wait for it to change"),
                IntakeEndpoints.GET_JOB);
        v1.post("/{id}/cancel").id("rest-cancel-job").description("Cancel a queued or running job")
                .param().name("id").type(RestParamType.path).dataType("string").description("Job id").endParam()
                .responseMessage().code(200).message("The canceled job").responseModel(ApiSchemas.Job.class)
                .endResponseMessage()
                .responseMessage().code(404).message("JobNotFound").endResponseMessage()
                .responseMessage().code(409).message("JobAlreadyTerminal: the job already ended").endResponseMessage()
                .to(IntakeEndpoints.CANCEL_JOB);
        v1.get("/{id}/logs").id("rest-get-logs").description("The job's log lines")
                .param().name("id").type(RestParamType.path).dataType("string").description("Job id").endParam()
                .param().name("tail").type(RestParamType.query).dataType("integer").defaultValue("100")
                .description("Newest lines to return, 0..10000").endParam()
                .responseMessage().code(200).message("Log lines, oldest first").responseModel(ApiSchemas.Logs.class)
                .endResponseMessage()
                .responseMessage().code(400).message("Invalid tail").endResponseMessage()
                .responseMessage().code(404).message("JobNotFound").endResponseMessage()
                .to(IntakeEndpoints.JOB_LOGS);
        v1.get("/{id}/artifact").id("rest-get-artifact").description("Signed download link of a finished job")
                .param().name("id").type(RestParamType.path).dataType("string").description("Job id").endParam()
                .param().name("expires_in").type(RestParamType.query).dataType("integer").defaultValue("3600")
                .description("Lifetime of the link in seconds, 60..604800").endParam()
                .param().name("redirect").type(RestParamType.query).dataType("boolean").defaultValue("false")
                .description("true: answer 302 to the link").endParam()
                .responseMessage().code(200).message("The link").responseModel(ApiSchemas.Artifact.class)
                .endResponseMessage()
                .responseMessage().code(302).message("Redirect to the link (redirect=true)").endResponseMessage()
                .responseMessage().code(400).message("Invalid expires_in").endResponseMessage()
                .responseMessage().code(404).message("JobNotFound, or ArtifactNotReady with details.current_status")
                .endResponseMessage()
                .responseMessage().code(503).message("StorageUnavailable").endResponseMessage()
                .to(IntakeEndpoints.ARTIFACT_LINK);

        RestDefinition compat = rest("/jobs").tag("Jobs (un-versioned)")
                .description("Un-versioned paths of the Python service's clients");
        create(compat.post().id("rest-compat-create-job").description("Submit a job (un-versioned alias)"),
                IntakeEndpoints.COMPAT_CREATE_JOB);
        compat.get().id("rest-compat-list-jobs").description("List jobs newest first, as a bare array")
                .param().name("limit").type(RestParamType.query).dataType("integer").defaultValue("20")
                .description("Jobs to return, 1..100").endParam()
                .param().name("offset").type(RestParamType.query).dataType("integer").defaultValue("0")
                .description("Jobs to skip from the newest").endParam()
                .responseMessage().code(200).message("Jobs").responseModel(ApiSchemas.JobArray.class)
                .endResponseMessage()
                .responseMessage().code(400).message("Invalid limit or offset").endResponseMessage()
                .to(IntakeEndpoints.COMPAT_LIST_JOBS);
        getJob(compat.get("/{id}").id("rest-compat-get-job").description("Read a job (un-versioned alias)"),
                IntakeEndpoints.COMPAT_GET_JOB);
        compat.get("/{id}/video-url").id("rest-compat-video-url").description("Signed download link (old shape)")
                .param().name("id").type(RestParamType.path).dataType("string").description("Job id").endParam()
                .param().name("expiration_seconds").type(RestParamType.query).dataType("integer")
                .defaultValue("3600").description("Lifetime of the link in seconds, 60..86400").endParam()
                .responseMessage().code(200).message("The link").responseModel(ApiSchemas.VideoUrl.class)
                .endResponseMessage()
                .responseMessage().code(400).message("Invalid expiration_seconds, or ArtifactNotReady (not finished)")
                .endResponseMessage()
                .responseMessage().code(404).message("JobNotFound").endResponseMessage()
                .responseMessage().code(503).message("StorageUnavailable").endResponseMessage()
                .to(IntakeEndpoints.COMPAT_VIDEO_URL);
    }

    private void admin() {
        RestDefinition admin = rest("/v1/admin/callbacks/dead-letters").tag("Admin")
                .description("Callbacks given up on after their retry schedule");
        admin.get().id("rest-admin-list-dead-letters").description("List dead-lettered callbacks, oldest first")
                .outType(ApiSchemas.DeadLetterList.class)
                .param().name("limit").type(RestParamType.query).dataType("integer")
                .defaultValue(Integer.toString(AdminEndpoints.DEFAULT_LIMIT))
                .description("Entries to return, 1.." + AdminEndpoints.MAX_LIMIT).endParam()
                .responseMessage().code(200).message("Dead letters").responseModel(ApiSchemas.DeadLetterList.class)
                .endResponseMessage()
                .responseMessage().code(400).message("Invalid limit").endResponseMessage()
                .to(AdminEndpoints.LIST_DEAD_LETTERS);
        admin.post("/{id}/replay").id("rest-admin-replay-dead-letter")
                .description("Send one dead-lettered callback again (dead-lettered anew if it fails again)")
                .outType(ApiSchemas.Replayed.class)
                .param().name("id").type(RestParamType.path).dataType("string")
                .description("Dead letter id (<job id>_<event>)").endParam()
                .responseMessage().code(200).message("Queued for delivery").responseModel(ApiSchemas.Replayed.class)
                .endResponseMessage()
                .responseMessage().code(400).message("ValidationError: malformed id").endResponseMessage()
                .responseMessage().code(404).message("NotFound: no such dead letter").endResponseMessage()
                .to(AdminEndpoints.REPLAY_DEAD_LETTER);
        admin.post("/replay").id("rest-admin-replay-dead-letters").description("Send every dead-lettered callback again")
                .outType(ApiSchemas.Replayed.class)
                .responseMessage().code(200).message("How many were queued for delivery")
                .responseModel(ApiSchemas.Replayed.class).endResponseMessage()
                .to(AdminEndpoints.REPLAY_DEAD_LETTERS);
    }

    private static void create(RestDefinition verb, String endpoint) {
        verb.type(ApiSchemas.CreateJob.class).outType(ApiSchemas.Accepted.class)
                .param().name("Idempotency-Key").type(RestParamType.header).dataType("string")
                .description("Up to 255 visible ASCII characters; the same key and body within 24 h return the "
                        + "original answer with Idempotent-Replayed: true").endParam()
                .responseMessage().code(202).message("Accepted and queued; Location names the job")
                .responseModel(ApiSchemas.Accepted.class).endResponseMessage()
                .responseMessage().code(400).message("ValidationError: the body breaks a rule (details name the field)")
                .endResponseMessage()
                .responseMessage().code(413).message("PayloadTooLarge").endResponseMessage()
                .responseMessage().code(415).message("UnsupportedMediaType: not application/json").endResponseMessage()
                .responseMessage().code(422).message("IdempotencyKeyReused: the key was used with another body")
                .endResponseMessage()
                .responseMessage().code(503).message("RedisUnavailable").endResponseMessage()
                .to(endpoint);
    }

    private static void getJob(RestDefinition verb, String endpoint) {
        verb.outType(ApiSchemas.Job.class)
                .param().name("id").type(RestParamType.path).dataType("string").description("Job id").endParam()
                .param().name("wait").type(RestParamType.query).dataType("integer").defaultValue("0")
                .description("Seconds (0..30) to wait for the status or progress to change").endParam()
                .param().name("If-None-Match").type(RestParamType.header).dataType("string")
                .description("ETag of a previous answer: 304 when the job is unchanged").endParam()
                .responseMessage().code(200).message("The job; ETag identifies this state")
                .responseModel(ApiSchemas.Job.class).endResponseMessage()
                .responseMessage().code(304).message("Not modified since the ETag given in If-None-Match")
                .endResponseMessage()
                .responseMessage().code(400).message("Invalid wait").endResponseMessage()
                .responseMessage().code(404).message("JobNotFound").endResponseMessage()
                .responseMessage().code(503).message("RedisUnavailable").endResponseMessage()
                .to(endpoint);
    }
}
