package io.ttv.pipeline.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.BaseServiceException;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.Storage;
import io.ttv.pipeline.callback.CallbackDeadLetters;
import io.ttv.pipeline.callback.CallbackDelivery;
import io.ttv.pipeline.callback.CallbackOutbox;
import io.ttv.pipeline.domain.CallbackTargets;
import io.ttv.pipeline.config.ConfigException;
import io.ttv.pipeline.config.PipelineConfig;
import io.ttv.pipeline.domain.CreateJobRequest;
import io.ttv.pipeline.generator.GenerationException;
import io.ttv.pipeline.generator.InstrumentedGenerator;
import io.ttv.pipeline.generator.LocalVideoGenerator;
import io.ttv.pipeline.generator.VideoGenerator;
import io.ttv.pipeline.generator.remote.RemoteGenerators;
import io.ttv.pipeline.generator.remote.VeoGenerator;
import io.ttv.pipeline.health.ComponentChecks;
import io.ttv.pipeline.http.ApiServer;
import io.ttv.pipeline.http.FrontDoor;
import io.ttv.pipeline.http.PathTemplates;
import io.ttv.pipeline.logging.MdcInterceptStrategy;
import io.ttv.pipeline.metrics.PipelineMetrics;
import io.ttv.pipeline.ops.NodeOperations;
import io.ttv.pipeline.ops.OperationsRegistration;
import io.ttv.pipeline.routes.AdminRoutes;
import io.ttv.pipeline.routes.Api;
import io.ttv.pipeline.routes.ApiErrorConfiguration;
import io.ttv.pipeline.routes.ArtifactLinks;
import io.ttv.pipeline.routes.CallbackAdmin;
import io.ttv.pipeline.routes.CallbackRoutes;
import io.ttv.pipeline.routes.ErrorBarrier;
import io.ttv.pipeline.routes.FallbackRoutes;
import io.ttv.pipeline.routes.IntakeRoutes;
import io.ttv.pipeline.routes.JobEvents;
import io.ttv.pipeline.routes.JobIntake;
import io.ttv.pipeline.routes.JobWorker;
import io.ttv.pipeline.routes.OpsRoutes;
import io.ttv.pipeline.routes.ProcessingRoutes;
import io.ttv.pipeline.routes.QueueRoutes;
import io.ttv.pipeline.routes.Reaper;
import io.ttv.pipeline.routes.RetentionRoutes;
import io.ttv.pipeline.routes.StorageRoutes;
import io.ttv.pipeline.routes.WorkerState;
import io.ttv.pipeline.storage.ArtifactStore;
import io.ttv.pipeline.storage.StorageClients;
import io.ttv.pipeline.store.AdminStore;
import io.ttv.pipeline.store.JobStore;
import io.ttv.pipeline.store.RateLimiter;
import io.vertx.core.VertxOptions;
import io.ttv.pipeline.store.RequeueResult;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.micrometer.routepolicy.MicrometerRoutePolicyFactory;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.impl.health.ConsumersHealthCheckRepository;
import org.apache.camel.impl.health.ContextHealthCheck;
import org.apache.camel.impl.health.RoutesHealthCheckRepository;
import org.apache.camel.impl.health.DefaultHealthCheckRegistry;
import org.apache.camel.spi.SupervisingRouteController;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;
import org.springframework.data.redis.serializer.RedisSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One node of the pipeline: owns the {@code ttv-pipeline} CamelContext, the clients it needs (Redis, GCS,
 * metrics) and the routes of its role. Blueprint creates it with the ConfigAdmin PIDs and calls
 * {@link #start()} and {@link #stop()}.
 */
public class PipelineApplication {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineApplication.class);
    public static final String CONTEXT_NAME = "ttv-pipeline";
    /** What Camel gets to stop its routes once the worker has given back or finished its jobs. */
    static final Duration ROUTES_STOP_TIMEOUT = Duration.ofSeconds(10);
    /** Vert.x worker threads running API routes; a long-poll holds one for up to 30 s. */
    static final int HTTP_WORKER_THREADS = 128;
    /** Long-polls that may wait at once; beyond that a read answers at once, so short requests keep threads. */
    static final int MAX_LONG_POLLS = 96;

    /** Routes consuming Redis pub/sub channels (long-poll wake-ups, cancel signals). */
    static final List<String> SUBSCRIPTION_ROUTES = List.of("intake-job-events", "queue-cancel-signals");
    /** How long configuration changes are collected before the one restart that applies them all. */
    static final Duration RECONFIGURE_QUIET = Duration.ofSeconds(1);

    private final Map<String, Map<String, Object>> pids;
    private final ScheduledExecutorService reconfigurer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ttv-reconfigure");
        t.setDaemon(true);
        return t;
    });
    private ScheduledFuture<?> pendingRestart;
    private boolean closed;
    private final Map<String, String> env;
    private DefaultCamelContext camel;
    private RedisClients redis;
    private PipelineMetrics metrics;
    private JobStore jobs;
    private String workerId;
    private boolean runsWorkers;
    private WorkerState workerState;
    private Duration shutdownGrace;
    private OperationsRegistration operations;

    /** @param pids PID id → its ConfigAdmin properties (missing PIDs mean all defaults) */
    public PipelineApplication(Map<String, ?> pids) {
        this(toMaps(pids), System.getenv());
    }

    /**
     * A node whose role is fixed by the feature that installed it (ttv-api, ttv-worker: their Blueprint bundles pass
     * {@code api} or {@code worker}); it wins over {@code TTV_ROLE} and the {@code ttv.worker} PID.
     */
    public PipelineApplication(Map<String, ?> pids, String role) {
        this(toMaps(pids), withRole(System.getenv(), role));
    }

    PipelineApplication(Map<String, Map<String, Object>> pids, Map<String, String> env) {
        this.pids = new HashMap<>(pids);
        this.env = env;
    }

    public synchronized void start() throws Exception {
        PipelineConfig config;
        try {
            config = PipelineConfig.resolve(pids, env);
        } catch (ConfigException e) {
            LOG.error(e.getMessage());
            throw e;
        }
        String version = version();
        LOG.info("Starting TTV Pipeline {} (role {}, HTTP port {}, Redis {})", version,
                config.role().name().toLowerCase(), config.httpPort(), config.redisUrl().redacted());

        // The storage client first: credential problems are configuration errors, raised before anything is opened.
        Storage storage;
        try {
            storage = StorageClients.create(config);
        } catch (ConfigException e) {
            throw fail(e);
        }
        ObjectMapper mapper = new ObjectMapper();
        Map<String, VideoGenerator> backends = new LinkedHashMap<>();
        backends.put(LocalVideoGenerator.NAME, new LocalVideoGenerator());
        try {
            backends.putAll(RemoteGenerators.configured(config.generators(), mapper, gcsReader(storage)));
        } catch (ConfigException e) {
            throw fail(e);
        }
        if (!backends.containsKey(config.defaultGenerator())) {
            throw fail(new ConfigException("Invalid configuration: TTV_GENERATOR = '" + config.defaultGenerator()
                    + "': must be one of " + backends.keySet() + " (a remote backend needs its key)"));
        }
        LOG.info("Generators: {}", backends.keySet());
        redis = new RedisClients(config, HTTP_WORKER_THREADS);
        jobs = new JobStore(redis.template());
        metrics = new PipelineMetrics(jobs, Duration.ofSeconds(config.heartbeatSeconds()));
        Map<String, VideoGenerator> generators = new LinkedHashMap<>();
        backends.forEach((name, g) -> generators.put(name, new InstrumentedGenerator(g, metrics.registry())));
        ArtifactStore artifacts = new ArtifactStore(storage, config);
        workerId = workerId();
        Duration heartbeatTtl = Duration.ofSeconds(config.heartbeatSeconds());
        Api api = new Api(mapper);

        DefaultCamelContext context = new DefaultCamelContext(false);
        context.getCamelContextExtension().setName(CONTEXT_NAME);
        context.setApplicationContextClassLoader(PipelineApplication.class.getClassLoader());
        context.getShutdownStrategy().setTimeout(ROUTES_STOP_TIMEOUT.toSeconds());
        context.getShutdownStrategy().setShutdownRoutesInReverseOrder(true);
        // Redis subscriptions cannot start while Redis is down: Camel retries them in the background instead of
        // failing the node, which then starts, reports not ready, and works once Redis is back.
        SupervisingRouteController routes = context.getRouteController().supervising();
        routes.setIncludeRoutes(String.join(",", SUBSCRIPTION_ROUTES));
        routes.setInitialDelay(0);
        routes.setBackOffDelay(1000);
        routes.setBackOffMaxDelay(5000);
        routes.setBackOffMaxAttempts(0);
        context.getRegistry().bind("redisTemplate", redis.template());
        context.getRegistry().bind("redisConnectionFactory", redis.connectionFactory());
        context.getRegistry().bind("redisStringSerializer", RedisSerializer.string());
        context.getRegistry().bind(MicrometerConstants.METRICS_REGISTRY_NAME, metrics.registry());
        context.addRoutePolicyFactory(new MicrometerRoutePolicyFactory());
        // job_id, request_id, user_id and component in the MDC of every route step (the JSON log line's fields).
        context.getCamelContextExtension().addInterceptStrategy(new MdcInterceptStrategy());
        context.getCamelContextExtension().addInterceptStrategy(new ErrorBarrier());

        Properties props = new Properties();
        props.setProperty("redis.host", config.redisUrl().host());
        props.setProperty("redis.port", Integer.toString(config.redisUrl().port()));
        props.setProperty("gcs.bucket", config.gcsBucket());
        context.getPropertiesComponent().setInitialProperties(props);

        HealthCheckRegistry health = new DefaultHealthCheckRegistry(context);
        health.setExposureLevel("full");
        context.getCamelContextExtension().addContextPlugin(HealthCheckRegistry.class, health);
        health.register(new ContextHealthCheck());
        health.register(ComponentChecks.redis(jobs));
        health.register(ComponentChecks.gcs(artifacts));
        health.register(ComponentChecks.workers(jobs, heartbeatTtl));
        // Camel's own checks: every route started, every consumer healthy. Their failures show in /readyz details.
        health.register(new RoutesHealthCheckRepository());
        health.register(new ConsumersHealthCheckRepository());

        RateLimiter limiter = new RateLimiter(redis.template(), config.rateLimitPerMinute(), config.rateLimitBurst());
        context.getRegistry().bind("vertxOptions", new VertxOptions().setWorkerPoolSize(HTTP_WORKER_THREADS));
        context.addService(ApiServer.create(config.httpHost(), config.httpPort(), config.maxBodyBytes(),
                config.corsOrigins(), () -> new FrontDoor(mapper, metrics, new PathTemplates(context),
                        config.apiKeys(), limiter, config.trustedProxies())));

        context.addRoutes(new ApiErrorConfiguration(api));
        context.addRoutes(new OpsRoutes(api, metrics, version, config.role().runsApi()));
        if (config.role().runsApi()) {
            CreateJobRequest.Rules rules = new CreateJobRequest.Rules(generators.keySet(), config.defaultGenerator(),
                    config.callbackAllowHttp(), config.callbackAllowPrivate());
            JobEvents events = new JobEvents(MAX_LONG_POLLS);
            JobIntake intake = new JobIntake(api, jobs, metrics, rules, events);
            context.addRoutes(new IntakeRoutes(intake, new ArtifactLinks(api, artifacts), events));
        }
        // Every node delivers callbacks: a worker its jobs' events, any node an operator's replay of a dead letter.
        CallbackOutbox outbox = new CallbackOutbox(context);
        context.addRoutes(new CallbackRoutes(new CallbackDelivery(jobs, mapper, config.callbackSecret(),
                config.callbackAllowPrivate(), Duration.ofMillis(config.callbackTimeoutMs()),
                config.callbackRetrySchedule(), new CallbackDeadLetters(redis.template()), metrics,
                CallbackTargets.SYSTEM)));
        // One operations object for the console (registered once the context runs) and the admin endpoints.
        AdminStore admin = new AdminStore(redis.template());
        NodeOperations nodeOperations = new NodeOperations(config.role().name().toLowerCase(),
                config.role().runsWorkers() ? workerId : null, jobs, admin,
                new CallbackDeadLetters(redis.template()), outbox, context);
        if (config.role().runsApi()) {
            context.addRoutes(new AdminRoutes(new CallbackAdmin(api, nodeOperations)));
        }
        if (config.role().runsWorkers()) {
            workerState = new WorkerState(Duration.ofSeconds(config.jobTimeoutSeconds()));
            shutdownGrace = Duration.ofSeconds(config.shutdownGraceSeconds());
            JobWorker worker = new JobWorker(jobs, generators, artifacts, metrics, mapper, workerState,
                    config.maxAttempts(), Duration.ofSeconds(config.retryBackoffSeconds()));
            Reaper reaper = new Reaper(jobs, metrics, workerId, heartbeatTtl, config.maxAttempts());
            worker.onProgress(outbox::progress);
            context.addRoutes(new QueueRoutes(jobs, reaper, workerState, outbox, workerId, config.workerConcurrency(),
                    heartbeatTtl));
            context.addRoutes(new ProcessingRoutes(worker, outbox));
            context.addRoutes(new StorageRoutes(worker, metrics));
            runsWorkers = true;
        }
        context.addRoutes(new RetentionRoutes(jobs, admin, workerId, config.jobRetention()));
        context.addRoutes(new FallbackRoutes());
        try {
            context.start();
        } catch (Exception e) {
            context.stop();
            stop();
            throw fail(e);
        }
        camel = context;
        operations = OperationsRegistration.register(nodeOperations);
        LOG.info("TTV Pipeline started: http://{}:{}/ (worker {})", config.httpHost(), config.httpPort(),
                config.role().runsWorkers() ? workerId : "off");
    }

    /**
     * A {@code ttv.*} PID changed (an edited {@code etc/<pid>.cfg}, or {@code config:edit … config:update}). Changes
     * arriving within {@link #RECONFIGURE_QUIET} are applied together by one graceful restart of the node: claims
     * stop, running jobs finish or go back to the queue, and the node starts again with the new values.
     */
    public synchronized void reconfigure(String pid, Map<String, ?> properties) {
        Map<String, Object> next = new HashMap<>();
        properties.forEach((k, v) -> {
            // ConfigAdmin's own bookkeeping keys are not settings.
            if (!k.startsWith("service.") && !k.startsWith("felix.") && !k.equals("component.name")) {
                next.put(k, v);
            }
        });
        Map<String, Object> current = new HashMap<>(pids.getOrDefault(pid, Map.of()));
        current.keySet().removeIf(k -> k.startsWith("service.") || k.startsWith("felix.") || k.equals("component.name"));
        if (closed || next.equals(current)) {
            return;
        }
        pids.put(pid, next);
        LOG.info("Configuration {} changed: the node restarts gracefully to apply it", pid);
        if (pendingRestart != null) {
            pendingRestart.cancel(false);
        }
        pendingRestart = reconfigurer.schedule(this::restart, RECONFIGURE_QUIET.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void restart() {
        if (closed) {
            return;
        }
        stop();
        try {
            start();
        } catch (Exception e) {
            LOG.error("TTV Pipeline did not start with the new configuration: {}", e.getMessage());
        }
    }

    /** Blueprint's destroy: stops the node for good (no restart from a late configuration change). */
    public synchronized void close() {
        closed = true;
        reconfigurer.shutdownNow();
        stop();
    }

    public synchronized void stop() {
        if (operations != null) {
            operations.unregister();
            operations = null;
        }
        if (workerState != null) {
            LOG.info("Stopping TTV Pipeline: no new claims; running jobs get {} s to finish", shutdownGrace.toSeconds());
            try {
                if (camel != null) {
                    QueueRoutes.stopClaimTimers(camel);
                }
                int interrupted = workerState.stop(shutdownGrace);
                if (interrupted > 0) {
                    LOG.info("{} running job(s) interrupted at the end of the grace period", interrupted);
                }
                if (camel != null) {
                    QueueRoutes.awaitClaimsEnded(camel, ROUTES_STOP_TIMEOUT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            workerState = null;
        }
        if (camel != null) {
            camel.stop();
            camel = null;
        }
        if (runsWorkers) {
            try {
                // What did not finish within the grace period goes back to the queue; a stop is not a failed attempt.
                RequeueResult r = jobs.requeue(workerId, Integer.MAX_VALUE);
                jobs.removeWorker(workerId);
                LOG.info("Worker {} stopped: {} unfinished job(s) returned to the queue", workerId, r.requeued());
            } catch (RuntimeException e) {
                LOG.warn("Could not return the jobs of worker {} (the reaper will): {}", workerId, e.getMessage());
            }
            runsWorkers = false;
        }
        closeClients();
    }

    private void closeClients() {
        if (metrics != null) {
            metrics.close();
            metrics = null;
        }
        if (redis != null) {
            redis.close();
            redis = null;
        }
    }

    /** Reads Veo's gs:// results with the node's GCS client, refusing an object larger than the limit. */
    static VeoGenerator.GcsReader gcsReader(Storage storage) {
        return (gsUri, target, maxBytes) -> {
            Blob blob;
            try {
                blob = storage.get(BlobId.fromGsUtilUri(gsUri));
            } catch (IllegalArgumentException e) {
                throw new GenerationException("Vertex AI Veo returned an invalid Cloud Storage URI", false, null);
            } catch (BaseServiceException e) {
                throw new IOException("reading " + gsUri + " failed", e);
            }
            if (blob == null) {
                throw new GenerationException("The Veo video is missing from Cloud Storage", false, null);
            }
            if (blob.getSize() != null && blob.getSize() > maxBytes) {
                throw new GenerationException("The video from Vertex AI Veo is larger than the limit of " + maxBytes
                        + " bytes", false, null);
            }
            try {
                blob.downloadTo(target);
            } catch (BaseServiceException e) {
                throw new IOException("reading " + gsUri + " failed", e);
            }
        };
    }

    private static RuntimeException fail(Exception e) {
        LOG.error("TTV Pipeline failed to start: {}", e.getMessage());
        return e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
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

    /** The routes bundle's version (what {@code /}, {@code /healthz} and {@code /readyz} report); "dev" outside OSGi. */
    private static String version() {
        Bundle bundle = FrameworkUtil.getBundle(PipelineApplication.class);
        return bundle == null ? "dev" : bundle.getVersion().toString();
    }

    private static Map<String, String> withRole(Map<String, String> env, String role) {
        Map<String, String> out = new HashMap<>(env);
        String before = out.put("TTV_ROLE", role);
        if (before != null && !before.equals(role)) {
            LOG.warn("TTV_ROLE={} ignored: the installed feature runs role {}", before, role);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> toMaps(Map<String, ?> pids) {
        Map<String, Map<String, Object>> out = new HashMap<>();
        pids.forEach((pid, value) -> {
            Map<String, Object> m = new HashMap<>();
            if (value instanceof Dictionary<?, ?> d) {
                for (Enumeration<?> keys = d.keys(); keys.hasMoreElements(); ) {
                    Object k = keys.nextElement();
                    m.put(k.toString(), d.get(k));
                }
            } else if (value instanceof Map<?, ?> map) {
                map.forEach((k, v) -> m.put(k.toString(), v));
            }
            out.put(pid, m);
        });
        return out;
    }
}
