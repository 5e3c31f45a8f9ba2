package io.ttv.pipeline.core.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import io.opentelemetry.sdk.resources.Resource;
import io.ttv.pipeline.core.config.ConfigException;
import io.ttv.pipeline.core.logging.LogContext;
import io.ttv.pipeline.core.redis.RedisKeys;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import org.apache.camel.CamelContext;
import org.apache.camel.Message;
import org.apache.camel.opentelemetry2.OpenTelemetryTracer;

/**
 * The node's OpenTelemetry tracing, configured by the standard {@code OTEL_*} variables (SDK autoconfigure; the
 * system properties {@code otel.*} work too). With {@code OTEL_TRACES_EXPORTER} unset or {@code none} nothing is
 * installed: no SDK, no Camel tracer, and every method here does nothing.
 * <p>
 * When on, Camel's own tracer ({@code camel-opentelemetry2}) makes a span of every route and endpoint a request or a
 * job passes, continuing the W3C {@code traceparent} of an incoming request; the pipeline adds the spans Camel cannot
 * see (the queue hop, the job's steps, the callback POSTs) through {@link #call} and {@link #start}. A job carries
 * its trace through Redis in one field of its hash ({@link #JOB_FIELD}), so that the worker on any node, a retry and a
 * requeue after a crash continue it.
 */
public final class Tracing implements AutoCloseable {
    /** The queue's name in spans: the operations guide's, whichever key names the Redis mode gives it. */
    public static final String QUEUE = RedisKeys.STANDARD.queue();
    /** The job hash field holding the job's trace: the W3C {@code traceparent}, then a space and any {@code tracestate}. */
    public static final String JOB_FIELD = "trace_context";
    public static final AttributeKey<String> JOB_ID = AttributeKey.stringKey("job.id");
    public static final AttributeKey<String> GENERATOR = AttributeKey.stringKey("generator");
    static final String SERVICE_NAME = "ttv-pipeline";
    /**
     * Endpoints Camel makes no span of: the claim loops, heartbeat and other timers (a span per poll, most of them
     * empty), the pub/sub subscriptions, the probes and scrapes, and the callbacks flow's hand-offs (its attempts are
     * spans of the job's trace, joined by {@link #join}).
     */
    static final String CAMEL_EXCLUDED = String.join(",", "timer:*", "spring-redis:*",
            "rest:.*/(healthz|readyz|metrics)([?].*)?", "direct:.*ops-(healthz|readyz|metrics)([?].*)?",
            "seda:.*callbacks.*");
    private static final AttributeKey<String> SERVICE_NAME_KEY = AttributeKey.stringKey("service.name");
    private static final AttributeKey<String> SERVICE_INSTANCE_KEY = AttributeKey.stringKey("service.instance.id");
    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
    private static final String TRACEPARENT = "traceparent";
    private static final String TRACESTATE = "tracestate";
    private static final Tracing OFF = new Tracing(null);

    private final OpenTelemetrySdk sdk;
    private final Tracer tracer;

    private Tracing(OpenTelemetrySdk sdk) {
        this.sdk = sdk;
        this.tracer = sdk == null ? null : sdk.getTracer("io.ttv.pipeline");
    }

    /** No tracing at all. */
    public static Tracing off() {
        return OFF;
    }

    /**
     * Tracing as the {@code OTEL_*} variables say; off unless {@code OTEL_TRACES_EXPORTER} names an exporter. Only
     * OTLP over HTTP is packaged: {@code OTEL_EXPORTER_OTLP_PROTOCOL} defaults to {@code http/protobuf}, and metrics
     * and logs are not exported unless their own {@code OTEL_*_EXPORTER} says so.
     *
     * @param instanceId {@code service.instance.id} unless {@code OTEL_RESOURCE_ATTRIBUTES} sets one
     * @throws ConfigException a value the SDK refuses, named
     */
    public static Tracing fromEnvironment(String instanceId) {
        String exporter = setting("otel.traces.exporter");
        if (exporter == null || exporter.isBlank() || "none".equals(exporter.trim())) {
            return OFF;
        }
        String protocol = setting("otel.exporter.otlp.traces.protocol");
        protocol = protocol != null ? protocol : setting("otel.exporter.otlp.protocol");
        if (protocol != null && !protocol.trim().equals("http/protobuf")) {
            throw new ConfigException("Invalid configuration: OTEL_EXPORTER_OTLP_PROTOCOL = '" + protocol
                    + "': only http/protobuf is supported");
        }
        try {
            OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
                    .addPropertiesSupplier(() -> Map.of(
                            "otel.exporter.otlp.protocol", "http/protobuf",
                            "otel.metrics.exporter", "none",
                            "otel.logs.exporter", "none"))
                    .addResourceCustomizer((resource, config) -> named(resource, instanceId))
                    .disableShutdownHook()
                    .build()
                    .getOpenTelemetrySdk();
            return new Tracing(sdk);
        } catch (ConfigurationException e) {
            throw new ConfigException("Invalid configuration of tracing (OTEL_*): " + e.getMessage());
        }
    }

    /** The default service name and this node's instance id, unless the variables set them. */
    private static Resource named(Resource resource, String instanceId) {
        Map<AttributeKey<String>, String> defaults = new HashMap<>();
        String name = resource.getAttribute(SERVICE_NAME_KEY);
        if (name == null || name.startsWith("unknown_service")) {
            defaults.put(SERVICE_NAME_KEY, SERVICE_NAME);
        }
        if (resource.getAttribute(SERVICE_INSTANCE_KEY) == null) {
            defaults.put(SERVICE_INSTANCE_KEY, instanceId);
        }
        var attributes = Attributes.builder();
        defaults.forEach(attributes::put);
        return resource.merge(Resource.create(attributes.build()));
    }

    /** A system property {@code otel.x.y}, else the variable {@code OTEL_X_Y}: the SDK's own order. */
    private static String setting(String property) {
        String value = System.getProperty(property);
        return value != null ? value
                : System.getenv(property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
    }

    public boolean enabled() {
        return sdk != null;
    }

    /** Installs Camel's tracer on {@code camel} (before it starts; builds it), exporting through this SDK. */
    public void install(CamelContext camel) {
        if (sdk == null) {
            return;
        }
        // Camel's tracer adds itself to the context's management strategy, which a context has once built.
        camel.build();
        // camel-opentelemetry2 takes the tracer and propagators from the registry before the global instance.
        camel.getRegistry().bind("openTelemetryTracer", tracer);
        camel.getRegistry().bind("openTelemetryPropagators", sdk.getPropagators());
        OpenTelemetryTracer camelTracer = new OpenTelemetryTracer();
        camelTracer.setExcludePatterns(CAMEL_EXCLUDED);
        camelTracer.init(camel);
    }

    /** The trace of the current span as a job stores it ({@link #JOB_FIELD}); null when nothing is traced. */
    public String capture() {
        if (sdk == null || !Span.current().getSpanContext().isValid()) {
            return null;
        }
        Map<String, String> headers = new HashMap<>();
        W3C.inject(Context.current(), headers, Map::put);
        String state = headers.get(TRACESTATE);
        return state == null || state.isEmpty() ? headers.get(TRACEPARENT) : headers.get(TRACEPARENT) + " " + state;
    }

    /**
     * Makes the next endpoint {@code message} is sent to continue {@code stored} (a job's {@link #JOB_FIELD}): Camel's
     * tracer takes the parent of an exchange's first span from its {@code traceparent} header.
     */
    public void join(Message message, String stored) {
        if (sdk == null || stored == null) {
            return;
        }
        for (String header : STORED.keys(stored)) {
            String value = STORED.get(stored, header);
            if (value != null) {
                message.setHeader(header, value);
            }
        }
    }

    /** Makes the next endpoint {@code message} is sent to continue {@code span}. */
    public void join(Message message, Span span) {
        if (sdk != null) {
            W3C.inject(Context.root().with(span), message, (m, k, v) -> m.setHeader(k, v));
        }
    }

    /**
     * Starts a span that the caller ends, child of the stored trace {@code parent} (a new trace when null or
     * malformed). Not made current: {@link #join} hands it to Camel's spans. An invalid span when tracing is off.
     */
    public Span start(String name, SpanKind kind, String parent, Attributes attributes) {
        if (sdk == null) {
            return Span.getInvalid();
        }
        Context context = parent == null ? Context.root() : W3C.extract(Context.root(), parent, STORED);
        return tracer.spanBuilder(name).setSpanKind(kind).setParent(context).setAllAttributes(attributes).startSpan();
    }

    /**
     * Runs {@code work} in a span, child of the current one, made current for its duration (log lines written
     * meanwhile carry its ids; {@link #inject} passes it on). A failure marks the span as an error.
     */
    public <T> T call(String name, SpanKind kind, Attributes attributes, Callable<T> work) throws Exception {
        if (sdk == null) {
            return work.call();
        }
        Span span = tracer.spanBuilder(name).setSpanKind(kind).setAllAttributes(attributes).startSpan();
        try (Scope ignored = span.makeCurrent()) {
            LogContext.bindTrace();
            return work.call();
        } catch (Exception | Error e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
            throw e;
        } finally {
            span.end();
            LogContext.bindTrace();
        }
    }

    /** Adds the W3C headers of the current span to an outgoing request (none when nothing is traced). */
    public static void inject(BiConsumer<String, String> header) {
        if (Span.current().getSpanContext().isValid()) {
            W3C.inject(Context.current(), header, BiConsumer::accept);
        }
    }

    /**
     * The attributes of a span of the queue hop (OpenTelemetry messaging conventions): the job {@code jobId} sent to
     * or processed from {@code rq:queue:default}.
     *
     * @param operation {@code send} or {@code process}
     */
    public static Attributes queueHop(String operation, String jobId, String generator) {
        return Attributes.builder()
                .put("messaging.system", "redis")
                .put("messaging.destination.name", QUEUE)
                .put("messaging.operation.type", operation)
                .put("messaging.operation.name", operation)
                .put("messaging.message.id", jobId)
                .put(JOB_ID, jobId)
                .put(GENERATOR, generator)
                .build();
    }

    /** Sends the spans not exported yet and stops the SDK. */
    @Override
    public void close() {
        if (sdk != null) {
            sdk.close();
        }
    }

    /** Reads a stored trace ({@code traceparent[ tracestate]}) as W3C headers. */
    private static final TextMapGetter<String> STORED = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String stored) {
            return List.of(TRACEPARENT, TRACESTATE);
        }

        @Override
        public String get(String stored, String key) {
            if (stored == null) {
                return null;
            }
            int space = stored.indexOf(' ');
            if (TRACEPARENT.equals(key)) {
                return space < 0 ? stored : stored.substring(0, space);
            }
            return TRACESTATE.equals(key) && space > 0 ? stored.substring(space + 1) : null;
        }
    };
}
