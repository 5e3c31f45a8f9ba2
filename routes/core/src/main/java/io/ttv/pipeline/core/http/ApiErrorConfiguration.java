package io.ttv.pipeline.core.http;

import com.google.cloud.BaseServiceException;
import io.ttv.pipeline.core.domain.ValidationException;
import org.apache.camel.Exchange;
import org.apache.camel.component.direct.DirectConsumerNotAvailableException;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import redis.clients.jedis.exceptions.JedisException;

import java.util.Collection;
import java.util.Map;

/**
 * Error handling shared by every API route (they opt in with {@code routeConfigurationId(API_ERRORS)}): each
 * failure becomes the spec's error body with the right status; no stack trace or class name reaches a client.
 *
 * <p>One handler classifies the whole cause chain: Camel matches {@code onException} clauses from the innermost
 * cause outwards, so a Redis outage (a {@code ConnectException} inside a Spring exception) would otherwise be
 * taken by a catch-all clause.
 */
public class ApiErrorConfiguration extends RouteConfigurationBuilder {
    public static final String API_ERRORS = "api-errors";
    private static final Logger LOG = LoggerFactory.getLogger(ApiErrorConfiguration.class);

    private final Api api;

    public ApiErrorConfiguration(Api api) {
        this.api = api;
    }

    @Override
    public void configuration() {
        routeConfiguration(API_ERRORS)
                .onException(Exception.class).handled(true)
                .process(e -> respond(e, e.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class)));
    }

    void respond(Exchange exchange, Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ApiException a) {
                api.error(exchange, a.status(), a.code(), a.getMessage(), a.details(), a.retryable());
                if (a.details().get("allowed") instanceof Collection<?> allowed) {
                    exchange.getMessage().setHeader("Allow",
                            String.join(", ", allowed.stream().map(Object::toString).toList()));
                }
                return;
            }
            if (t instanceof ValidationException v) {
                api.error(exchange, 400, "ValidationError", v.getMessage(), v.details(), false);
                return;
            }
            if (t instanceof DataAccessException || t instanceof JedisException) {
                LOG.warn("Redis unavailable (request {}): {}", Api.requestId(exchange), rootCause(t));
                LOG.debug("Redis failure", t);
                unavailable(exchange, "RedisUnavailable", "The job store is unavailable; try again shortly");
                return;
            }
            if (t instanceof DirectConsumerNotAvailableException) {
                // The flow serving this path did not come back within the wait (its bundle stopped, not replaced).
                LOG.warn("No flow serves request {}: {}", Api.requestId(exchange), t.getMessage());
                unavailable(exchange, "ServiceUnavailable", "The part of the service that answers this request is "
                        + "not running; try again shortly");
                return;
            }
            if (t instanceof BaseServiceException) {
                LOG.warn("Storage unavailable (request {}): {}", Api.requestId(exchange), t.getMessage());
                unavailable(exchange, "StorageUnavailable", "The artifact store is unavailable; try again shortly");
                return;
            }
        }
        LOG.error("Unhandled API error (request {})", Api.requestId(exchange), failure);
        api.error(exchange, 500, "InternalError", "An internal error occurred", Map.of(), true);
    }

    private static String rootCause(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == t ? String.valueOf(t.getMessage()) : t.getMessage() + " (" + root + ")";
    }

    private void unavailable(Exchange exchange, String code, String message) {
        api.error(exchange, 503, code, message, Map.of(), true);
        exchange.getMessage().setHeader("Retry-After", "5");
    }
}
