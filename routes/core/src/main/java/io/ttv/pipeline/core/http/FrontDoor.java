package io.ttv.pipeline.core.http;

import io.ttv.pipeline.core.domain.Sha256;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ttv.pipeline.core.metrics.PipelineMetrics;
import io.ttv.pipeline.core.http.Api;
import io.ttv.pipeline.core.redis.RateLimiter;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import io.ttv.pipeline.core.logging.LogContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What every HTTP request passes before a Camel route sees it, installed on platform-http's Vert.x router:
 * the request id, the security headers, the HTTP metrics, API-key authentication and the shared rate limit —
 * and the API's JSON error body for the answers Vert.x itself gives (413 from the body limit, 500).
 */
public final class FrontDoor {
    private static final Logger LOG = LoggerFactory.getLogger(FrontDoor.class);
    /** Access lines have a logger of their own, so that etc/org.ops4j.pax.logging.cfg can route them apart. */
    private static final Logger ACCESS = LoggerFactory.getLogger("io.ttv.pipeline.access");
    /** Paths never rate limited (docs/api.md): probes and scrapes must work while a client is throttled. */
    static final Set<String> UNLIMITED = Set.of("/healthz", "/readyz", "/metrics");
    private static final String PRINCIPAL = "ttv.principal";

    private final ObjectMapper mapper;
    private final PipelineMetrics metrics;
    private final PathTemplates templates;
    private final List<byte[]> keyDigests;
    private final RateLimiter limiter;
    private final Set<String> trustedProxies;
    private final Set<HttpConnection> connections = ConcurrentHashMap.newKeySet();

    public FrontDoor(ObjectMapper mapper, PipelineMetrics metrics, PathTemplates templates, List<String> apiKeys,
                     RateLimiter limiter, List<String> trustedProxies) {
        this.mapper = mapper;
        this.metrics = metrics;
        this.templates = templates;
        this.keyDigests = apiKeys.stream().map(Sha256::of).toList();
        this.limiter = limiter;
        this.trustedProxies = Set.copyOf(trustedProxies);
        metrics.activeConnections(connections::size);
    }

    /**
     * Installs the handlers: {@link #begin} before everything (its failure handler answers what Vert.x fails, e.g.
     * the body limit's 413), the gate after platform-http's CORS handler.
     */
    public void install(Router router) {
        router.route().order(-1).handler(this::begin).failureHandler(ctx -> vertxError(ctx,
                ctx.statusCode() > 0 ? ctx.statusCode() : 500));
        router.route().handler(this::gate);
    }

    void begin(RoutingContext ctx) {
        long start = System.nanoTime();
        HttpServerRequest request = ctx.request();
        String requestId = Api.requestIdOf(request.getHeader("X-Request-ID"));
        // Camel reads the id from this header, so routes and the front door agree on it.
        request.headers().set("X-Request-ID", requestId);
        request.headers().remove(Api.PRINCIPAL_HEADER);
        request.headers().remove(Api.RATE_LIMIT_CLIENT_HEADER);
        track(request.connection());
        ctx.addHeadersEndHandler(v -> {
            MultiMap h = ctx.response().headers();
            h.set("X-Request-ID", requestId);
            h.set("X-Correlation-ID", requestId);
            h.set("X-Content-Type-Options", "nosniff");
            h.set("X-Frame-Options", "DENY");
            h.set("Referrer-Policy", "strict-origin-when-cross-origin");
        });
        String method = request.method().name();
        ctx.addEndHandler(v -> {
            long took = System.nanoTime() - start;
            String template = templates.templateOf(request.path());
            int status = ctx.response().getStatusCode();
            metrics.httpRequest(method, template, status, took);
            accessLog(requestId, request.getHeader(Api.PRINCIPAL_HEADER), method, template, status, took);
        });
        ctx.next();
    }

    /**
     * One line per answered API request (probes and scrapes excepted), with {@code request_id}, {@code user_id} and
     * {@code duration_ms}; the path is the route template, so no id or query string (signed-URL parameters) is logged.
     */
    private static void accessLog(String requestId, String user, String method, String template, int status,
                                  long nanos) {
        if (UNLIMITED.contains(template) || !ACCESS.isInfoEnabled()) {
            return;
        }
        MDC.put(LogContext.REQUEST_ID, requestId);
        if (user != null) {
            MDC.put(LogContext.USER_ID, user);
        }
        MDC.put(LogContext.COMPONENT, "api");
        MDC.put(LogContext.DURATION_MS, Long.toString(TimeUnit.NANOSECONDS.toMillis(nanos)));
        try {
            ACCESS.info("{} {} {}", method, template, status);
        } finally {
            MDC.remove(LogContext.REQUEST_ID);
            MDC.remove(LogContext.USER_ID);
            MDC.remove(LogContext.COMPONENT);
            MDC.remove(LogContext.DURATION_MS);
        }
    }

    private void track(HttpConnection connection) {
        if (connection != null && connections.add(connection)) {
            connection.closeHandler(v -> connections.remove(connection));
        }
    }

    /** Authentication on the job and admin endpoints, then the rate limit. */
    void gate(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        String principal = null;
        if (!keyDigests.isEmpty() && isProtectedPath(path)) {
            principal = authenticate(ctx.request());
            if (principal == null) {
                ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"ttv\"");
                error(ctx, 401, "Unauthorized", "A valid API key is required: Authorization: Bearer <key> or "
                        + "X-API-Key: <key>", Map.of(), false);
                return;
            }
            ctx.request().headers().set(Api.PRINCIPAL_HEADER, principal);
        }
        if (!limiter.enabled() || UNLIMITED.contains(PathTemplates.withoutTrailingSlash(path))) {
            ctx.next();
            return;
        }
        String client = principal != null ? principal : "ip:" + clientAddress(ctx.request());
        if (isJobCreation(ctx.request().method(), path)) {
            // The creation takes the token in its own Lua call (one round trip for both): it is told whose.
            ctx.request().headers().set(Api.RATE_LIMIT_CLIENT_HEADER, client);
            ctx.next();
            return;
        }
        // The body is read after this asynchronous step: held back until the body handler resumes the request.
        ctx.request().pause();
        ctx.vertx().executeBlocking(() -> limiter.take(client), false).onComplete(result -> {
            if (result.failed()) {
                // Throttling protects the service; it must not take it down. The job routes answer 503 themselves.
                LOG.warn("Rate limit not checked (Redis unavailable): {}", result.cause().getMessage());
                ctx.next();
                return;
            }
            RateLimiter.Decision d = result.result();
            MultiMap h = ctx.response().headers();
            RateLimitAnswer.headers(d, h::set);
            if (d.allowed()) {
                ctx.next();
            } else {
                ApiException refusal = RateLimitAnswer.refusal(d);
                error(ctx, refusal.status(), refusal.code(), refusal.getMessage(), refusal.details(),
                        refusal.retryable());
            }
        });
    }

    /** {@code POST /v1/jobs} and the un-versioned {@code POST /jobs}. */
    static boolean isJobCreation(HttpMethod method, String path) {
        if (method != HttpMethod.POST) {
            return false;
        }
        String p = PathTemplates.withoutTrailingSlash(path);
        return p.equals("/v1/jobs") || p.equals("/jobs");
    }

    /** The job endpoints and the admin endpoints: they need an API key when keys are configured. */
    static boolean isProtectedPath(String path) {
        return path.equals("/v1/jobs") || path.startsWith("/v1/jobs/") || path.equals("/jobs")
                || path.startsWith("/jobs/") || path.equals("/v1/admin") || path.startsWith("/v1/admin/");
    }

    /** The principal of a valid key ({@code key:} + the start of its digest), or null. Never logs the key. */
    String authenticate(HttpServerRequest request) {
        String presented = request.getHeader("X-API-Key");
        String authorization = request.getHeader("Authorization");
        if (presented == null && authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = authorization.substring(7).trim();
        }
        if (presented == null || presented.isEmpty()) {
            return null;
        }
        byte[] digest = Sha256.of(presented);
        boolean valid = false;
        for (byte[] known : keyDigests) {
            // Every key is compared, in constant time, so timing tells nothing about which or how much matched.
            valid |= MessageDigest.isEqual(known, digest);
        }
        return valid ? "key:" + HexFormat.of().formatHex(digest, 0, 8) : null;
    }

    /** The peer address, or the client named by X-Forwarded-For when the peer is a trusted proxy. */
    String clientAddress(HttpServerRequest request) {
        String peer = request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
        String forwarded = request.getHeader("X-Forwarded-For");
        if (forwarded == null || !trustedProxies.contains(peer)) {
            return peer;
        }
        String[] hops = forwarded.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].trim();
            if (!hop.isEmpty() && !trustedProxies.contains(hop)) {
                return hop;
            }
        }
        return peer;
    }

    private void vertxError(RoutingContext ctx, int status) {
        switch (status) {
            case 413 -> error(ctx, 413, "PayloadTooLarge", "The request body is larger than the server accepts",
                    Map.of(), false);
            case 400 -> error(ctx, 400, "ValidationError", "The request could not be read", Map.of(), false);
            case 404 -> error(ctx, 404, "NotFound", "No such endpoint: " + ctx.normalizedPath(), Map.of(), false);
            case 405 -> error(ctx, 405, "MethodNotAllowed", "Method not allowed", Map.of(), false);
            case 415 -> error(ctx, 415, "UnsupportedMediaType", "Unsupported content type", Map.of(), false);
            case 503 -> {
                ctx.response().putHeader("Retry-After", "5");
                error(ctx, 503, "ServiceUnavailable", "The service is not ready; try again shortly", Map.of(), true);
            }
            default -> {
                if (ctx.failure() != null) {
                    LOG.error("Unhandled HTTP failure (request {})", ctx.request().getHeader("X-Request-ID"),
                            ctx.failure());
                }
                error(ctx, 500, "InternalError", "An internal error occurred", Map.of(), true);
            }
        }
    }

    private void error(RoutingContext ctx, int status, String code, String message, Map<String, Object> details,
                       boolean retryable) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        byte[] body;
        try {
            body = mapper.writeValueAsBytes(Api.errorBody(code, message, details,
                    ctx.request().getHeader("X-Request-ID"), retryable));
        } catch (JsonProcessingException e) {
            body = ("{\"error\":\"" + code + "\"}").getBytes(StandardCharsets.UTF_8);
        }
        if (status == 413) {
            // The rest of an oversized body is not read: close rather than leave the client writing.
            ctx.response().putHeader("Connection", "close");
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(Buffer.buffer(body));
    }

}
