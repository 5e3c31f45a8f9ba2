package io.ttv.pipeline.intake;

import io.ttv.pipeline.core.flow.Drainable;
import io.ttv.pipeline.core.flow.IntakeEndpoints;
import io.ttv.pipeline.core.flow.JobHeaders;

import io.ttv.pipeline.core.http.ApiErrorConfiguration;

import io.ttv.pipeline.core.redis.RedisKeys;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.redis.RedisConstants;
import org.apache.camel.support.ExpressionAdapter;

/**
 * The intake flow: accept a job into Redis, read, list and cancel jobs, their logs and artifact links, and the old
 * un-versioned shapes. The core's {@code RestContract} calls these routes through {@link IntakeEndpoints}; every
 * route opts into {@link ApiErrorConfiguration}.
 */
public class IntakeRoutes extends RouteBuilder implements Drainable {
    /** Property: seconds a job read may wait for the job to change ({@code ?wait=}). */
    static final String WAIT_SECONDS = "TtvWaitSeconds";
    /** Property: lifetime in seconds of a requested signed artifact URL. */
    static final String EXPIRES_IN = "TtvExpiresIn";
    static final String HGETALL = "spring-redis://{{redis.host}}:{{redis.port}}?command=HGETALL&redisTemplate=#redisTemplate";

    private final JobIntake intake;
    private final ArtifactLinks artifactLinks;
    private final JobEvents events;
    /** The job hash's key ({@link RedisKeys#job}) of the exchange's job, for the HGETALL step. */
    private final Expression jobKey;

    public IntakeRoutes(JobIntake intake, ArtifactLinks artifactLinks, JobEvents events, RedisKeys keys) {
        this.intake = intake;
        this.artifactLinks = artifactLinks;
        this.events = events;
        this.jobKey = new ExpressionAdapter() {
            @Override
            public Object evaluate(Exchange exchange) {
                return keys.job(exchange.getProperty(JobHeaders.JOB_ID, String.class));
            }
        };
    }

    /** Long-polling readers answer with the job as it is now; the next version serves their next poll. */
    @Override
    public void drain() {
        events.close();
    }

    @Override
    public void configure() {
        createJobRoute(IntakeEndpoints.CREATE_JOB, "intake-create-job");
        createJobRoute(IntakeEndpoints.COMPAT_CREATE_JOB, "intake-compat-create-job");
        getJobRoute(IntakeEndpoints.GET_JOB, "intake-get-job");
        getJobRoute(IntakeEndpoints.COMPAT_GET_JOB, "intake-compat-get-job");

        from(IntakeEndpoints.LIST_JOBS).routeId("intake-list-jobs").routeConfigurationId(ApiErrorConfiguration.API_ERRORS)
                .bean(intake, "list");

        from(IntakeEndpoints.COMPAT_LIST_JOBS).routeId("intake-compat-list-jobs")
                .routeConfigurationId(ApiErrorConfiguration.API_ERRORS)
                .bean(intake, "listCompat");

        from(IntakeEndpoints.CANCEL_JOB).routeId("intake-cancel-job").routeConfigurationId(ApiErrorConfiguration.API_ERRORS)
                .bean(intake, "jobId")
                .bean(intake, "cancel");

        from(IntakeEndpoints.JOB_LOGS).routeId("intake-job-logs").routeConfigurationId(ApiErrorConfiguration.API_ERRORS)
                .bean(intake, "jobId")
                .bean(intake, "logs");

        from(IntakeEndpoints.ARTIFACT_LINK).routeId("storage-artifact-link")
                .routeConfigurationId(ApiErrorConfiguration.API_ERRORS)
                .bean(intake, "jobId")
                .setProperty(IntakeRoutes.EXPIRES_IN, method(artifactLinks, "expiresIn"))
                .setHeader(RedisConstants.KEY, jobKey)
                .to(HGETALL)
                .bean(artifactLinks, "respond");

        from(IntakeEndpoints.COMPAT_VIDEO_URL).routeId("storage-compat-video-url")
                .routeConfigurationId(ApiErrorConfiguration.API_ERRORS)
                .bean(intake, "jobId")
                .setProperty(IntakeRoutes.EXPIRES_IN, method(artifactLinks, "expirationSeconds"))
                .setHeader(RedisConstants.KEY, jobKey)
                .to(HGETALL)
                .bean(artifactLinks, "respondCompat");

        // Every status or progress change is published by the state machine; it wakes this node's long-polls.
        from("spring-redis://{{redis.host}}:{{redis.port}}?command=SUBSCRIBE&channels=" + RedisKeys.JOB_EVENTS_CHANNEL
                + "&connectionFactory=#redisConnectionFactory&serializer=#redisStringSerializer")
                .routeId("intake-job-events")
                .bean(events, "signal");
    }

    /** Rate limit and API key were checked by the core's front door before the request reached the route. */
    private void createJobRoute(String endpoint, String routeId) {
        from(endpoint).routeId(routeId).routeConfigurationId(ApiErrorConfiguration.API_ERRORS)
                .bean(intake, "validate")
                .bean(intake, "idempotency")
                .bean(intake, "store")
                .bean(intake, "respondAccepted");
    }

    private void getJobRoute(String endpoint, String routeId) {
        from(endpoint).routeId(routeId).routeConfigurationId(ApiErrorConfiguration.API_ERRORS)
                .bean(intake, "jobId")
                .setProperty(IntakeRoutes.WAIT_SECONDS, method(intake, "waitSeconds"))
                .setHeader(RedisConstants.KEY, jobKey)
                .to(HGETALL)
                .bean(intake, "respondJob");
    }

}
