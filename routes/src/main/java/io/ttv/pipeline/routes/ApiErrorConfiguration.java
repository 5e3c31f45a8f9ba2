package io.ttv.pipeline.routes;

import com.google.cloud.BaseServiceException;
import io.ttv.pipeline.domain.ValidationException;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteConfigurationBuilder;
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
        routeConfiguration(API_ERRORS)
                .onException(ValidationException.class).handled(true)
                .process(e -> {
                    ValidationException v = e.getProperty(Exchange.EXCEPTION_CAUGHT, ValidationException.class);
                    api.error(e, 400, "ValidationError", v.getMessage(), v.details(), false);
                })
                .end()
                .onException(DataAccessException.class).handled(true)
                .log(org.apache.camel.LoggingLevel.WARN, "Redis unavailable: ${exception.message}")
                .process(e -> {
                    api.error(e, 503, "RedisUnavailable", "The job store is unavailable; try again shortly",
                            Map.of(), true);
                    e.getMessage().setHeader("Retry-After", "5");
                })
                .end()
                .onException(BaseServiceException.class).handled(true)
                .log(org.apache.camel.LoggingLevel.WARN, "Storage unavailable: ${exception.message}")
                .process(e -> {
                    api.error(e, 503, "StorageUnavailable", "The artifact store is unavailable; try again shortly",
                            Map.of(), true);
                    e.getMessage().setHeader("Retry-After", "5");
                })
                .end()
                .onException(Exception.class).handled(true)
                .log(org.apache.camel.LoggingLevel.ERROR, "Unhandled API error: ${exception.stacktrace}")
                .process(e -> api.error(e, 500, "InternalError", "An internal error occurred", Map.of(), true))
                .end();
    }
}
