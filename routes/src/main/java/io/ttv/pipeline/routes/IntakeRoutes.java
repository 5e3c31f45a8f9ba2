package io.ttv.pipeline.routes;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.redis.RedisConstants;

/**
 * The job endpoints of the HTTP API (REST DSL on platform-http) and the intake flows: accept a job into Redis and read it back.
 * Every API route opts into {@link ApiErrorConfiguration}.
 */
public class IntakeRoutes extends RouteBuilder {
    static final String HGETALL = "spring-redis://{{redis.host}}:{{redis.port}}?command=HGETALL&redisTemplate=#redisTemplate";

    private final JobIntake intake;
    private final ArtifactLinks artifactLinks;

    public IntakeRoutes(JobIntake intake, ArtifactLinks artifactLinks) {
        this.intake = intake;
        this.artifactLinks = artifactLinks;
    }

    @Override
    public void configure() {
        rest("/v1/jobs").description("Text-to-video jobs")
                .post().id("rest-create-job").description("Submit a job").to(Endpoints.CREATE_JOB)
                .get().id("rest-list-jobs").description("List jobs, newest first").to(Endpoints.LIST_JOBS)
                .get("/{id}").id("rest-get-job").description("Read a job").to(Endpoints.GET_JOB)
                .post("/{id}/cancel").id("rest-cancel-job").description("Cancel a queued or running job")
                .to(Endpoints.CANCEL_JOB)
                .get("/{id}/logs").id("rest-get-logs").description("The job's log lines").to(Endpoints.JOB_LOGS)
                .get("/{id}/artifact").id("rest-get-artifact").description("Signed download link of a finished job")
                .to(Endpoints.ARTIFACT_LINK);

        from(Endpoints.CREATE_JOB).routeId("intake-create-job").routeConfigurationId(ApiErrorConfiguration.API_ERRORS)
                .bean(intake, "create")
                .log("Job ${exchangeProperty.TtvJobId} queued");

        from(Endpoints.GET_JOB).routeId("intake-get-job").routeConfigurationId(ApiErrorConfiguration.API_ERRORS)
                .bean(intake, "jobId")
                .setHeader(RedisConstants.KEY, simple("rq:job:${exchangeProperty.TtvJobId}"))
                .to(HGETALL)
                .bean(intake, "respondJob");

        from(Endpoints.LIST_JOBS).routeId("intake-list-jobs").routeConfigurationId(ApiErrorConfiguration.API_ERRORS)
                .bean(intake, "list");

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
    }
}
