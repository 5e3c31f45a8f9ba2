package io.ttv.pipeline.core.http;

import io.ttv.pipeline.core.redis.RateLimiter;

import io.ttv.pipeline.core.domain.ValidationException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ttv.pipeline.core.domain.Timestamps;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * How every API response is written: JSON body and status, and nothing of the inbound request's headers
 * (platform-http would otherwise echo them back). The request id and security headers are added to every
 * response by {@link io.ttv.pipeline.core.http.FrontDoor}.
 */
public final class Api {
    public static final String REQUEST_ID = "TtvRequestId";
    /** Set by the front door on an authenticated request: which API key (by digest prefix) made it. */
    public static final String PRINCIPAL_HEADER = "X-Ttv-Principal";
    /**
     * Set by the front door on a job creation when rate limiting is on: whose bucket the creation takes its token
     * from (the principal, or {@code ip:} and the client address).
     */
    public static final String RATE_LIMIT_CLIENT_HEADER = "X-Ttv-RateLimit-Client";
    /** Property: the rate-limit decision of a request that took its token in a route ({@link RateLimiter.Decision}). */
    public static final String RATE_LIMIT = "TtvRateLimit";
    private static final Pattern CLIENT_REQUEST_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    private final ObjectMapper mapper;

    public Api(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    /** Keeps a well-formed inbound {@code X-Request-ID}, otherwise makes one; stored as an exchange property. */
    public static String requestId(Exchange exchange) {
        String id = exchange.getProperty(REQUEST_ID, String.class);
        if (id == null) {
            id = requestIdOf(exchange.getMessage().getHeader("X-Request-ID", String.class));
            exchange.setProperty(REQUEST_ID, id);
        }
        return id;
    }

    /** A well-formed client request id is kept (docs/api.md); anything else is replaced by a new UUID. */
    public static String requestIdOf(String inbound) {
        return inbound != null && CLIENT_REQUEST_ID.matcher(inbound).matches() ? inbound : UUID.randomUUID().toString();
    }

    public void respond(Exchange exchange, int status, Object body) {
        Message m = exchange.getMessage();
        m.removeHeaders("*");
        RateLimiter.Decision rateLimit = exchange.getProperty(RATE_LIMIT, RateLimiter.Decision.class);
        if (rateLimit != null) {
            RateLimitAnswer.headers(rateLimit, m::setHeader);
        }
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        m.setHeader(Exchange.CONTENT_TYPE, "application/json");
        try {
            m.setBody(body == null ? null : mapper.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("response not serialisable", e);
        }
    }

    /** A job resource: never cached by intermediaries. */
    public void respondJob(Exchange exchange, int status, Object body) {
        respond(exchange, status, body);
        exchange.getMessage().setHeader("Cache-Control", "no-store");
    }

    /** The one error body of the API (docs/api.md). */
    public void error(Exchange exchange, int status, String code, String message, Map<String, Object> details,
                      boolean retryable) {
        respond(exchange, status, errorBody(code, message, details, requestId(exchange), retryable));
    }

    public static Map<String, Object> errorBody(String code, String message, Map<String, Object> details,
                                                String requestId, boolean retryable) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("message", message);
        body.put("details", details == null ? Map.of() : details);
        body.put("timestamp", Timestamps.now());
        body.put("request_id", requestId);
        body.put("retryable", retryable);
        return body;
    }

    /** A query parameter that must be an integer in {@code min..max}; absent means {@code otherwise}. */
    public static int queryInt(String raw, String name, int min, int max, int otherwise) {
        if (raw == null || raw.isEmpty()) {
            return otherwise;
        }
        try {
            int n = Integer.parseInt(raw.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ValidationException(name + " must be an integer between " + min + " and " + max,
                Map.of("field", name, "problem", "out of range"));
    }
}
