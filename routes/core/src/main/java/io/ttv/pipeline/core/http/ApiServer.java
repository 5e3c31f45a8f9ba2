package io.ttv.pipeline.core.http;

import io.ttv.pipeline.core.config.TlsSettings;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.ext.web.Router;
import org.apache.camel.component.platform.http.PlatformHttpConstants;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * platform-http's Vert.x server with the API's {@link FrontDoor} installed on its router before any REST route,
 * the body limit and CORS from {@code ttv.api}; with {@code TTV_TLS_*} set, HTTPS instead of HTTP on the same port.
 *
 * <p>HTTPS: platform-http 4.14 builds its {@link HttpServerOptions} itself and offers no way to turn on ALPN, so for
 * HTTPS this class creates the Vert.x server on platform-http's router: TLS 1.2 and 1.3 only, HTTP/2 and HTTP/1.1
 * through ALPN, the certificate from {@link ServerCertificate} behind a {@link RotatingKeyManager}, and a
 * {@link CertificateReloader} on a timer that hands it a renewed certificate. Plain HTTP stays platform-http's own
 * server.
 */
public class ApiServer extends VertxPlatformHttpServer {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    static final Set<String> TLS_PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");
    private static final long LISTEN_TIMEOUT_SECONDS = 30;
    static final List<String> CORS_REQUEST_HEADERS = List.of("Content-Type", "Authorization", "X-API-Key",
            "Idempotency-Key", "If-None-Match", "X-Request-ID");
    static final List<String> CORS_EXPOSED_HEADERS = List.of("ETag", "Location", "Retry-After", "X-Request-ID",
            "X-Correlation-ID", "Idempotent-Replayed", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset");

    private final VertxPlatformHttpServerConfiguration configuration;
    private final Supplier<FrontDoor> frontDoor;
    private final TlsSettings tls;
    private final ServerCertificate certificate;
    private HttpServer https;
    private ScheduledExecutorService reloads;

    private ApiServer(VertxPlatformHttpServerConfiguration configuration, Supplier<FrontDoor> frontDoor,
                      TlsSettings tls, ServerCertificate certificate) {
        super(configuration);
        this.configuration = configuration;
        this.frontDoor = frontDoor;
        this.tls = tls;
        this.certificate = certificate;
    }

    /**
     * @param frontDoor   made when the server starts (it needs the CamelContext's REST registry)
     * @param tls         the certificate files to follow; {@code null} for plain HTTP
     * @param certificate what {@code tls} held when the node started (read and checked before anything opened)
     */
    public static ApiServer create(String host, int port, int maxBodyBytes, List<String> corsOrigins,
                                   Supplier<FrontDoor> frontDoor, TlsSettings tls, ServerCertificate certificate) {
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
        return new ApiServer(http, frontDoor, tls, certificate);
    }

    @Override
    protected void initializeServer() {
        super.initializeServer();
        String name = VertxPlatformHttpRouter.getRouterNameFromPort(configuration.getPort());
        frontDoor.get().install(VertxPlatformHttpRouter.lookup(getCamelContext(), name));
    }

    @Override
    protected void startServer() throws Exception {
        if (tls == null) {
            super.startServer();
            return;
        }
        RotatingKeyManager keys = new RotatingKeyManager(certificate);
        HttpServerOptions options = new HttpServerOptions()
                .setSsl(true)
                .setUseAlpn(true)
                .setEnabledSecureTransportProtocols(TLS_PROTOCOLS)
                .setKeyCertOptions(KeyCertOptions.wrap(keys));
        // The same tree as platform-http's own server: its router mounted at the configured path.
        Router root = Router.router(getVertx());
        root.route(configuration.getPath() + "*").subRouter(VertxPlatformHttpRouter.lookup(getCamelContext(),
                VertxPlatformHttpRouter.getRouterNameFromPort(configuration.getPort())));
        HttpServer server = getVertx().createHttpServer(options).requestHandler(root);
        server.listen(configuration.getBindPort(), configuration.getBindHost())
                .toCompletionStage().toCompletableFuture().get(LISTEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        https = server;
        LOG.info("HTTPS server (HTTP/2 and HTTP/1.1, {}) started on {}:{} with {}", String.join(", ",
                TLS_PROTOCOLS.stream().sorted().toList()), configuration.getBindHost(), server.actualPort(),
                certificate);
        CertificateReloader.warnIfExpired(tls, certificate);
        long every = tls.reloadInterval().toMillis();
        reloads = getCamelContext().getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "tls-reload");
        reloads.scheduleWithFixedDelay(new CertificateReloader(tls, keys, certificate), every, every,
                TimeUnit.MILLISECONDS);
    }

    @Override
    protected void stopServer() {
        if (https == null) {
            super.stopServer();
            return;
        }
        getCamelContext().getExecutorServiceManager().shutdownNow(reloads);
        // As platform-http's own server does on stop: the component goes with its server.
        getCamelContext().removeComponent(PlatformHttpConstants.PLATFORM_HTTP_COMPONENT_NAME);
        try {
            https.close().toCompletionStage().toCompletableFuture().get(LISTEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            LOG.info("HTTPS server stopped");
        } catch (Exception e) {
            LOG.warn("HTTPS server did not close cleanly: {}", e.getMessage());
        } finally {
            https = null;
        }
    }

    @Override
    public HttpServer getServer() {
        return https != null ? https : super.getServer();
    }

    @Override
    public int getPort() {
        return https != null ? https.actualPort() : super.getPort();
    }
}
