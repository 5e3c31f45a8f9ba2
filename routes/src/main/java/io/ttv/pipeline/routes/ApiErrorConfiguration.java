package io.ttv.pipeline.routes;

import com.google.cloud.BaseServiceException;
import io.ttv.pipeline.domain.ValidationException;
import org.apache.camel.Exchange;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.apache.camel.model.RouteConfigurationDefinition;
import org.springframework.dao.DataAccessException;

import java.util.Map;

/**
 * Error handling shared by every API route (they opt in with {@code routeConfigurationId(API_ERRORS)}): each
 * failure becomes the spec's error body with the right status; no stack trace or class name reaches a client.
 */
public class ApiErrorConfiguration extends RouteConfigurationBuilder {
    public static final String API_ERRORS = "api-errors";

    private final Api api;

    public ApiErrorConfiguration(Api api) {
        this.api = api;
    }

    @Override
    public void configuration() {
        RouteConfigurationDefinition errors = routeConfiguration(API_ERRORS);
        errors.onException(ValidationException.class).handled(true)
                .process(e -> {
                    ValidationException v = e.getProperty(Exchange.EXCEPTION_CAUGHT, ValidationException.class);
                    api.error(e, 400, "ValidationError", v.getMessage(), v.details(), false);
                });
        errors.onException(DataAccessException.class).handled(true)
                .log(LoggingLevel.WARN, "Redis unavailable: ${exception.message}")
                .process(e -> unavailable(e, "RedisUnavailable", "The job store is unavailable; try again shortly"));
        errors.onException(BaseServiceException.class).handled(true)
                .log(LoggingLevel.WARN, "Storage unavailable: ${exception.message}")
                .process(e -> unavailable(e, "StorageUnavailable", "The artifact store is unavailable; try again shortly"));
        errors.onException(Exception.class).handled(true)
                .log(LoggingLevel.ERROR, "Unhandled API error: ${exception.stacktrace}")
                .process(e -> api.error(e, 500, "InternalError", "An internal error occurred", Map.of(), true));
    }

    private void unavailable(Exchange exchange, String code, String message) {
        api.error(exchange, 503, code, message, Map.of(), true);
        exchange.getMessage().setHeader("Retry-After", "5");
    }
}
