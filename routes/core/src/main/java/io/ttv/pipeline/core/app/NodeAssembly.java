package io.ttv.pipeline.core.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.storage.Storage;
import io.ttv.pipeline.core.callback.CallbackOutbox;
import io.ttv.pipeline.core.config.ConfigException;
import io.ttv.pipeline.core.config.PipelineConfig;
import io.ttv.pipeline.core.flow.FlowRoutes;
import io.ttv.pipeline.core.flow.NodeContext;
import io.ttv.pipeline.core.gcs.ArtifactStore;
import io.ttv.pipeline.core.gcs.StorageClients;
import io.ttv.pipeline.core.generator.GeneratorProvider;
import io.ttv.pipeline.core.generator.Generators;
import io.ttv.pipeline.core.health.ComponentChecks;
import io.ttv.pipeline.core.http.Api;
import io.ttv.pipeline.core.http.ApiErrorConfiguration;
import io.ttv.pipeline.core.http.ApiServer;
import io.ttv.pipeline.core.http.FallbackRoutes;
import io.ttv.pipeline.core.http.FrontDoor;
import io.ttv.pipeline.core.http.OpsRoutes;
import io.ttv.pipeline.core.http.PathTemplates;
import io.ttv.pipeline.core.http.RestContract;
import io.ttv.pipeline.core.http.ServerCertificate;
import io.ttv.pipeline.core.metrics.PipelineMetrics;
import io.ttv.pipeline.core.ops.NodeOperations;
import io.ttv.pipeline.core.redis.AdminStore;
import io.ttv.pipeline.core.redis.CallbackDeadLetters;
import io.ttv.pipeline.core.redis.CallbackQueue;
import io.ttv.pipeline.core.redis.JobStore;
import io.ttv.pipeline.core.tracing.Tracing;
import io.ttv.pipeline.core.redis.RateLimiter;
import io.ttv.pipeline.core.flow.StepInterceptor;
import io.ttv.pipeline.core.flow.RedisOutageConfiguration;
import io.vertx.core.VertxOptions;
import org.apache.camel.ManagementStatisticsLevel;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.micrometer.routepolicy.MicrometerRoutePolicyFactory;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.impl.health.ConsumersHealthCheckRepository;
import org.apache.camel.impl.health.ContextHealthCheck;
import org.apache.camel.impl.health.DefaultHealthCheckRegistry;
import org.apache.camel.impl.health.RoutesHealthCheckRepository;
import org.apache.camel.spi.ManagementAgent;
import org.apache.camel.spi.SupervisingRouteController;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.serializer.RedisSerializer;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;

/**
 * Builds one node: its clients (Redis, GCS, metrics), the {@code ttv-pipeline} CamelContext with the core's routes
 * (the REST contract, the ops endpoints, the error policies) and the {@link NodeContext} its flows build on. The
 * application and the tests use the same assembly; flows are then added with {@link #flows()}.
 */
public final class NodeAssembly implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeAssembly.class);
    public static final String CONTEXT_NAME = "ttv-pipeline";
    /** What Camel gets to stop the core's routes once the flows are gone. */
    static final Duration ROUTES_STOP_TIMEOUT = Duration.ofSeconds(10);
    /** Vert.x worker threads running API routes; a long-poll holds one for up to 30 s. */
    static final int HTTP_WORKER_THREADS = 128;
    /** Routes consuming Redis pub/sub channels (long-poll wake-ups, cancel signals): supervised, see below. */
    static final List<String> SUBSCRIPTION_ROUTES = List.of("intake-job-events", "queue-cancel-signals");

    private final PipelineConfig config;
    private final Storage storage;
    private final RedisClients redis;
    private final PipelineMetrics metrics;
    private final DefaultCamelContext camel;
    private final FlowRoutes flows;
    private final NodeContext node;
    private final Tracing tracing;

    private NodeAssembly(PipelineConfig config, String version, String coreOrigin) throws Exception {
        this.config = config;
        // The storage client and the certificate first: their problems are configuration errors, raised before
        // anything is opened.
        storage = StorageClients.create(config);
        ServerCertificate certificate = config.https() ? ServerCertificate.read(config.tls()) : null;
        if (!config.generators().enabled().contains(config.defaultGenerator())) {
            throw new ConfigException("Invalid configuration: TTV_GENERATOR = '" + config.defaultGenerator()
                    + "': must be one of " + config.generators().enabled() + " (a remote backend needs its key)");
        }
        String workerId = workerId();
        tracing = Tracing.fromEnvironment(workerId);
        redis = new RedisClients(config, HTTP_WORKER_THREADS);
        // WAIT blocks for at most half the read timeout, so that a shortfall is its answer, not a socket timeout.
        JobStore jobs = new JobStore(redis.template(), redis.keys(), new JobStore.ReplicaAcknowledgement(
                config.redisWaitReplicas(), Duration.ofMillis(config.redisTimeoutMs() / 2)));
        metrics = new PipelineMetrics(jobs, Duration.ofSeconds(config.heartbeatSeconds()));
        ObjectMapper mapper = new ObjectMapper();
        Api api = new Api(mapper);
        ArtifactStore artifacts = new ArtifactStore(storage, config);
        Generators generators = new Generators(Set.copyOf(config.generators().enabled()),
                metrics.registry());

        camel = new DefaultCamelContext(false);
        camel.getCamelContextExtension().setName(CONTEXT_NAME);
        camel.setApplicationContextClassLoader(NodeAssembly.class.getClassLoader());
        camel.getShutdownStrategy().setTimeout(ROUTES_STOP_TIMEOUT.toSeconds());
        camel.getShutdownStrategy().setShutdownRoutesInReverseOrder(true);
        camel.build(); // sets up JMX management, configured next
        // JMX statistics per route, not per processor: the console's route figures stay, and no step of a request
        // pays for counters that nothing reads (docs/performance.md). Metrics come from Micrometer.
        ManagementAgent jmx = camel.getManagementStrategy().getManagementAgent();
        if (jmx != null) {
            jmx.setStatisticsLevel(ManagementStatisticsLevel.RoutesOnly);
        }
        // Redis subscriptions cannot start while Redis is down: Camel retries them in the background instead of
        // failing the node, which then starts, reports not ready, and works once Redis is back.
        SupervisingRouteController supervisor = camel.getRouteController().supervising();
        supervisor.setIncludeRoutes(String.join(",", SUBSCRIPTION_ROUTES));
        supervisor.setInitialDelay(0);
        supervisor.setBackOffDelay(1000);
        supervisor.setBackOffMaxDelay(5000);
        supervisor.setBackOffMaxAttempts(0);
        camel.getRegistry().bind("redisTemplate", redis.template());
        camel.getRegistry().bind("redisConnectionFactory", redis.connectionFactory());
        camel.getRegistry().bind("redisStringSerializer", RedisSerializer.string());
        camel.getRegistry().bind(MicrometerConstants.METRICS_REGISTRY_NAME, metrics.registry());
        camel.addRoutePolicyFactory(new MicrometerRoutePolicyFactory());
        // job_id, request_id, user_id and component in the MDC of every route step (the JSON log line's fields), and
        // an Error of a step handled like an exception.
        camel.getCamelContextExtension().addInterceptStrategy(new StepInterceptor());
        tracing.install(camel);
        Properties props = new Properties();
        props.setProperty("redis.host", config.redisUrl().host());
        props.setProperty("redis.port", Integer.toString(config.redisUrl().port()));
        props.setProperty("gcs.bucket", config.gcsBucket());
        camel.getPropertiesComponent().setInitialProperties(props);

        HealthCheckRegistry health = new DefaultHealthCheckRegistry(camel);
        health.setExposureLevel("full");
        camel.getCamelContextExtension().addContextPlugin(HealthCheckRegistry.class, health);
        health.register(new ContextHealthCheck());
        health.register(ComponentChecks.redis(jobs));
        health.register(ComponentChecks.gcs(artifacts));
        health.register(ComponentChecks.workers(jobs, Duration.ofSeconds(config.heartbeatSeconds()),
                config.role().runsWorkers()));
        // Camel's own checks: every route started, every consumer healthy. Their failures show in /readyz details.
        health.register(new RoutesHealthCheckRepository());
        health.register(new ConsumersHealthCheckRepository());

        RateLimiter limiter = new RateLimiter(redis.template(), redis.keys(), config.rateLimitPerMinute(),
                config.rateLimitBurst());
        camel.getRegistry().bind("vertxOptions", new VertxOptions().setWorkerPoolSize(HTTP_WORKER_THREADS));
        camel.addService(ApiServer.create(config.httpHost(), config.httpPort(), config.maxBodyBytes(),
                config.corsOrigins(), () -> new FrontDoor(mapper, metrics, new PathTemplates(camel),
                        config.apiKeys(), limiter, config.trustedProxies()), config.tls(), certificate));

        flows = new FlowRoutes(camel, config.role());
        health.register(ComponentChecks.flows(flows::missing));
        AdminStore admin = new AdminStore(redis.template(), redis.keys());
        CallbackDeadLetters deadLetters = new CallbackDeadLetters(redis.template(), redis.keys());
        CallbackQueue callbacks = new CallbackQueue(redis.template(), redis.keys());
        CallbackOutbox outbox = new CallbackOutbox(camel, callbacks);
        NodeOperations operations = new NodeOperations(config.role().name().toLowerCase(),
                config.role().runsWorkers() ? workerId : null, jobs, admin, deadLetters, outbox, camel,
                routeId -> Objects.requireNonNullElse(flows.originOf(routeId), coreOrigin));
        node = new NodeContext(camel, config, mapper, api, jobs, admin, deadLetters, outbox, callbacks, artifacts,
                metrics, generators, operations, workerId, tracing, limiter);

        camel.addRoutes(new ApiErrorConfiguration(api));
        camel.addRoutes(new RedisOutageConfiguration());
        camel.addRoutes(new RestContract(config.role()));
        camel.addRoutes(new OpsRoutes(api, metrics, version, config.role().runsApi(), flows::flows));
        camel.addRoutes(new FallbackRoutes());
    }

    /**
     * Builds a node that is not started yet.
     *
     * @param version    what {@code /} and the health endpoints report
     * @param coreOrigin the core bundle ({@code symbolic-name version}) that {@code ttv:routes} names for its routes
     * @throws ConfigException when the configuration cannot work (logged by the caller in one line)
     */
    public static NodeAssembly create(PipelineConfig config, String version, String coreOrigin) throws Exception {
        return new NodeAssembly(config, version, coreOrigin);
    }

    public PipelineConfig config() {
        return config;
    }

    public DefaultCamelContext camel() {
        return camel;
    }

    public NodeContext node() {
        return node;
    }

    public FlowRoutes flows() {
        return flows;
    }

    /**
     * Offers the generators of {@code provider} to the node's flows; a refused configuration is logged.
     *
     * @return the names taken, to withdraw when the provider goes
     */
    public List<String> offer(GeneratorProvider provider, String origin) {
        try {
            List<String> names = node.generators().offer(provider.generators(
                    new GeneratorProvider.Environment(config.generators(), node.mapper(), storage)));
            LOG.info("Generators {} offered by {}", names, origin);
            return names;
        } catch (ConfigException e) {
            LOG.error("Generators of {} not available: {}", origin, e.getMessage());
            return List.of();
        }
    }

    /** Stops the flows gracefully, then the context, then closes the clients. */
    @Override
    public void close() {
        flows.removeAll();
        camel.stop();
        metrics.close();
        redis.close();
        tracing.close();
    }

    private static String workerId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "node";
        }
        return host + "-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
