package io.ttv.pipeline.core.http;

import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * platform-http's Vert.x server with the API's {@link FrontDoor} installed on its router before any REST route,
 * the body limit and CORS from {@code ttv.api}.
 */
public class ApiServer extends VertxPlatformHttpServer {
    static final List<String> CORS_REQUEST_HEADERS = List.of("Content-Type", "Authorization", "X-API-Key",
            "Idempotency-Key", "If-None-Match", "X-Request-ID");
    static final List<String> CORS_EXPOSED_HEADERS = List.of("ETag", "Location", "Retry-After", "X-Request-ID",
            "X-Correlation-ID", "Idempotent-Replayed", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset");

    private final VertxPlatformHttpServerConfiguration configuration;
    private final Supplier<FrontDoor> frontDoor;

    private ApiServer(VertxPlatformHttpServerConfiguration configuration, Supplier<FrontDoor> frontDoor) {
        super(configuration);
        this.configuration = configuration;
        this.frontDoor = frontDoor;
    }

    /** @param frontDoor made when the server starts (it needs the CamelContext's REST registry) */
    public static ApiServer create(String host, int port, int maxBodyBytes, List<String> corsOrigins,
                                   Supplier<FrontDoor> frontDoor) {
        VertxPlatformHttpServerConfiguration http = new VertxPlatformHttpServerConfiguration();
        http.setBindHost(host);
        http.setBindPort(port);
        http.setMaxBodySize((long) maxBodyBytes);
        if (!corsOrigins.isEmpty()) {
            VertxPlatformHttpServerConfiguration.Cors cors = http.getCors();
            cors.setEnabled(true);
            // platform-http allows every origin when the list is empty: that is what "*" means here.
            cors.setOrigins(corsOrigins.contains("*") ? List.of() : corsOrigins);
            cors.setMethods(List.of("GET", "POST", "OPTIONS"));
            cors.setHeaders(CORS_REQUEST_HEADERS);
            cors.setExposedHeaders(CORS_EXPOSED_HEADERS);
            cors.setAccessControlMaxAge(Duration.ofMinutes(10));
        }
        return new ApiServer(http, frontDoor);
    }

    @Override
    protected void initializeServer() {
        super.initializeServer();
        String name = VertxPlatformHttpRouter.getRouterNameFromPort(configuration.getPort());
        frontDoor.get().install(VertxPlatformHttpRouter.lookup(getCamelContext(), name));
    }
}
