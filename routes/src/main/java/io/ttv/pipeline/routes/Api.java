package io.ttv.pipeline.routes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ttv.pipeline.domain.Timestamps;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * How every API response is written: JSON body, status, the request id and the security headers, and nothing
 * of the inbound request's headers (platform-http would otherwise echo them back).
 */
public final class Api {
    public static final String REQUEST_ID = "TtvRequestId";
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
            String inbound = exchange.getMessage().getHeader("X-Request-ID", String.class);
            id = inbound != null && CLIENT_REQUEST_ID.matcher(inbound).matches() ? inbound : UUID.randomUUID().toString();
            exchange.setProperty(REQUEST_ID, id);
        }
        return id;
    }

    public void respond(Exchange exchange, int status, Object body) {
        String requestId = requestId(exchange);
        Message m = exchange.getMessage();
        m.removeHeaders("*");
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        m.setHeader(Exchange.CONTENT_TYPE, "application/json");
        m.setHeader("X-Request-ID", requestId);
        m.setHeader("X-Correlation-ID", requestId);
        m.setHeader("X-Content-Type-Options", "nosniff");
        m.setHeader("X-Frame-Options", "DENY");
        m.setHeader("Referrer-Policy", "strict-origin-when-cross-origin");
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

    /** The one error body of the API (SPEC §3). */
    public void error(Exchange exchange, int status, String code, String message, Map<String, Object> details,
                      boolean retryable) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("message", message);
        body.put("details", details == null ? Map.of() : details);
        body.put("timestamp", Timestamps.now());
        body.put("request_id", requestId(exchange));
        body.put("retryable", retryable);
        respond(exchange, status, body);
    }
}
