package io.ttv.pipeline.routes;

import io.ttv.pipeline.store.RedisKeys;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.redis.RedisConstants;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.RestParamType;

/**
 * The job endpoints of the HTTP API (REST DSL on platform-http), their un-versioned aliases for the Python service's
 * clients, and the intake flows: accept a job into Redis and read it back. The REST DSL carries the parameters and
 * responses that {@code /openapi.json} publishes. Every API route opts into {@link ApiErrorConfiguration}.
 */
public class IntakeRoutes extends RouteBuilder {
    static final String HGETALL = "spring-redis://{{redis.host}}:{{redis.port}}?command=HGETALL&redisTemplate=#redisTemplate";

    private final JobIntake intake;
    private final ArtifactLinks artifactLinks;
    private final JobEvents events;

    public IntakeRoutes(JobIntake intake, ArtifactLinks artifactLinks, JobEvents events) {
        this.intake = intake;
        this.artifactLinks = artifactLinks;
        this.events = events;
    }

    @Override
    public void configure() {
        RestDefinition v1 = rest("/v1/jobs").description("Text-to-video jobs");
        create(v1.post().id("rest-create-job").description("Submit a job"), Endpoints.CREATE_JOB);
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
                .to(Endpoints.LIST_JOBS);
        getJob(v1.get("/{id}").id("rest-get-job").description("Read a job; optionally wait for it to change"),
                Endpoints.GET_JOB);
        v1.post("/{id}/cancel").id("rest-cancel-job").description("Cancel a queued or running job")
                .param().name("id").type(RestParamType.path).dataType("string").description("Job id").endParam()
                .responseMessage().code(200).message("The canceled job").responseModel(ApiSchemas.Job.class)
                .endResponseMessage()
                .responseMessage().code(404).message("JobNotFound").endResponseMessage()
                .responseMessage().code(409).message("JobAlreadyTerminal: the job already ended").endResponseMessage()
                .to(Endpoints.CANCEL_JOB);
        v1.get("/{id}/logs").id("rest-get-logs").description("The job's log lines")
                .param().name("id").type(RestParamType.path).dataType("string").description("Job id").endParam()
                .param().name("tail").type(RestParamType.query).dataType("integer").defaultValue("100")
                .description("Newest lines to return, 0..10000").endParam()
                .responseMessage().code(200).message("Log lines, oldest first").responseModel(ApiSchemas.Logs.class)
                .endResponseMessage()
                .responseMessage().code(400).message("Invalid tail").endResponseMessage()
                .responseMessage().code(404).message("JobNotFound").endResponseMessage()
                .to(Endpoints.JOB_LOGS);
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
                .to(Endpoints.ARTIFACT_LINK);

        RestDefinition compat = rest("/jobs").description("Un-versioned paths of the Python service's clients");
        create(compat.post().id("rest-compat-create-job").description("Submit a job (un-versioned alias)"),
                Endpoints.COMPAT_CREATE_JOB);
        compat.get().id("rest-compat-list-jobs").description("List jobs newest first, as a bare array")
                .param().name("limit").type(RestParamType.query).dataType("integer").defaultValue("20")
                .description("Jobs to return, 1..100").endParam()
                .param().name("offset").type(RestParamType.query).dataType("integer").defaultValue("0")
                .description("Jobs to skip from the newest").endParam()
                .responseMessage().code(200).message("Jobs").responseModel(ApiSchemas.JobArray.class)
                .endResponseMessage()
                .responseMessage().code(400).message("Invalid limit or offset").endResponseMessage()
                .to(Endpoints.COMPAT_LIST_JOBS);
        getJob(compat.get("/{id}").id("rest-compat-get-job").description("Read a job (un-versioned alias)"),
                Endpoints.COMPAT_GET_JOB);
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
                .to(Endpoints.COMPAT_VIDEO_URL);

        // One route per REST verb: the REST DSL inlines the route it calls, so two verbs cannot share one.
        createJobRoute(Endpoints.CREATE_JOB, "intake-create-job");
        createJobRoute(Endpoints.COMPAT_CREATE_JOB, "intake-compat-create-job");
        getJobRoute(Endpoints.GET_JOB, "intake-get-job");
        getJobRoute(Endpoints.COMPAT_GET_JOB, "intake-compat-get-job");

        from(Endpoints.LIST_JOBS).routeId("intake-list-jobs").routeConfigurationId(ApiErrorConfiguration.API_ERRORS)
                .bean(intake, "list");

        from(Endpoints.COMPAT_LIST_JOBS).routeId("intake-compat-list-jobs")
                .routeConfigurationId(ApiErrorConfiguration.API_ERRORS)
                .bean(intake, "listCompat");

        from(Endpoints.CANCEL_JOB).routeId("intake-cancel-job").routeConfigurationId(ApiErrorConfiguration.API_ERRORS)
                .bean(intake, "jobId")
                .bean(intake, "cancel");

        from(Endpoints.JOB_LOGS).routeId("intake-job-logs").routeConfigurationId(ApiErrorConfiguration.API_ERRORS)
                .bean(intake, "jobId")
                .bean(intake, "logs");

        from(Endpoints.ARTIFACT_LINK).routeId("storage-artifact-link")
                .routeConfigurationId(ApiErrorConfiguration.API_ERRORS)
                .bean(intake, "jobId")
                .setProperty(Endpoints.EXPIRES_IN, method(artifactLinks, "expiresIn"))
                .setHeader(RedisConstants.KEY, simple("rq:job:${exchangeProperty.TtvJobId}"))
                .to(HGETALL)
                .bean(artifactLinks, "respond");

        from(Endpoints.COMPAT_VIDEO_URL).routeId("storage-compat-video-url")
                .routeConfigurationId(ApiErrorConfiguration.API_ERRORS)
                .bean(intake, "jobId")
                .setProperty(Endpoints.EXPIRES_IN, method(artifactLinks, "expirationSeconds"))
                .setHeader(RedisConstants.KEY, simple("rq:job:${exchangeProperty.TtvJobId}"))
                .to(HGETALL)
                .bean(artifactLinks, "respondCompat");

        // Every status or progress change is published by the state machine; it wakes this node's long-polls.
        from("spring-redis://{{redis.host}}:{{redis.port}}?command=SUBSCRIBE&channels=" + RedisKeys.JOB_EVENTS_CHANNEL
                + "&connectionFactory=#redisConnectionFactory&serializer=#redisStringSerializer")
                .routeId("intake-job-events")
                .bean(events, "signal");
    }

    private void createJobRoute(String endpoint, String routeId) {
        from(endpoint).routeId(routeId).routeConfigurationId(ApiErrorConfiguration.API_ERRORS)
                .bean(intake, "create");
    }

    private void getJobRoute(String endpoint, String routeId) {
        from(endpoint).routeId(routeId).routeConfigurationId(ApiErrorConfiguration.API_ERRORS)
                .bean(intake, "jobId")
                .setProperty(Endpoints.WAIT_SECONDS, method(intake, "waitSeconds"))
                .setHeader(RedisConstants.KEY, simple("rq:job:${exchangeProperty.TtvJobId}"))
                .to(HGETALL)
                .bean(intake, "respondJob");
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
