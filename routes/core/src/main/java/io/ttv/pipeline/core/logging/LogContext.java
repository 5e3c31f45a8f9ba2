package io.ttv.pipeline.core.logging;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.ttv.pipeline.core.flow.JobHeaders;

import io.ttv.pipeline.core.http.Api;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.slf4j.MDC;

import java.time.Duration;

/**
 * The MDC keys of the JSON log line (etc/org.ops4j.pax.logging.cfg): {@code job_id}, {@code request_id},
 * {@code user_id}, {@code component}, {@code duration_ms}, {@code trace_id}, {@code span_id}. They are derived from the exchange before every step of
 * every route ({@link io.ttv.pipeline.core.flow.StepInterceptor}), so they follow a job or a request across threads (Vert.x workers,
 * claim loops, seda consumers) without relying on thread-local propagation.
 */
public final class LogContext {
    public static final String JOB_ID = "job_id";
    public static final String REQUEST_ID = "request_id";
    public static final String USER_ID = "user_id";
    public static final String COMPONENT = "component";
    public static final String DURATION_MS = "duration_ms";
    /** The current span's ids (W3C hex), when the line is written within a traced span. */
    public static final String TRACE_ID = "trace_id";
    public static final String SPAN_ID = "span_id";
    /** Exchange property: the client a job belongs to (the API principal, never a key). */
    public static final String USER = "TtvUserId";

    private LogContext() {
    }

    /** Sets the MDC keys from the exchange: its job, request, user and the area of its current route. */
    public static void bind(Exchange exchange) {
        String routeId = routeId(exchange);
        boolean api = exchange.getFromEndpoint() != null
                && exchange.getFromEndpoint().getEndpointUri().startsWith("platform-http");
        String requestId = api ? Api.requestId(exchange) : exchange.getProperty(Api.REQUEST_ID, String.class);
        String user = exchange.getProperty(USER, String.class);
        if (user == null && api) {
            user = exchange.getMessage().getHeader(Api.PRINCIPAL_HEADER, String.class);
        }
        put(JOB_ID, exchange.getProperty(JobHeaders.JOB_ID, String.class));
        put(REQUEST_ID, requestId);
        put(USER_ID, user);
        put(COMPONENT, routeId == null ? null : componentOf(routeId));
        bindTrace();
    }

    /**
     * Sets {@code trace_id} and {@code span_id} from the current OpenTelemetry span (Camel's tracer makes the span of
     * the running route current; {@link io.ttv.pipeline.core.tracing.Tracing#call} its own), or removes them.
     */
    public static void bindTrace() {
        SpanContext span = Span.current().getSpanContext();
        put(TRACE_ID, span.isValid() ? span.getTraceId() : null);
        put(SPAN_ID, span.isValid() ? span.getSpanId() : null);
    }

    /** Runs {@code log} with {@code duration_ms} set (a whole number of milliseconds). */
    public static void withDuration(Duration took, Runnable log) {
        MDC.put(DURATION_MS, Long.toString(took.toMillis()));
        try {
            log.run();
        } finally {
            MDC.remove(DURATION_MS);
        }
    }

    /** The area a route belongs to: {@code api}, {@code worker}, {@code callbacks}; else the route id. */
    public static String componentOf(String routeId) {
        if (routeId.startsWith("intake-") || routeId.startsWith("ops-") || routeId.startsWith("rest-")
                || routeId.startsWith("api-") || routeId.equals("storage-artifact-link")
                || routeId.startsWith("storage-compat")) {
            return "api";
        }
        if (routeId.startsWith("queue-") || routeId.startsWith("processing-") || routeId.startsWith("storage-")) {
            return "worker";
        }
        if (routeId.startsWith("callbacks-")) {
            return "callbacks";
        }
        return routeId;
    }

    private static String routeId(Exchange exchange) {
        Route route = exchange.getUnitOfWork() == null ? null : exchange.getUnitOfWork().getRoute();
        return route != null ? route.getRouteId() : exchange.getFromRouteId();
    }

    private static void put(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
