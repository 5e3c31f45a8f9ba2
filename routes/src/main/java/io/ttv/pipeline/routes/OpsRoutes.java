package io.ttv.pipeline.routes;

import io.ttv.pipeline.domain.Timestamps;
import io.ttv.pipeline.http.OpenApiDocument;
import io.ttv.pipeline.metrics.PipelineMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.model.rest.RestBindingMode;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Liveness ({@code /healthz}), readiness ({@code /readyz}, from Camel's health-check registry) and the
 * Prometheus exposition ({@code /metrics}).
 */
public class OpsRoutes extends RouteBuilder {
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final Api api;
    private final PipelineMetrics metrics;
    private final String version;
    private final boolean runsApi;

    public OpsRoutes(Api api, PipelineMetrics metrics, String version, boolean runsApi) {
        this.api = api;
        this.metrics = metrics;
        this.version = version;
        this.runsApi = runsApi;
    }

    @Override
    public void configure() {
        getContext().getRegistry().bind(ApiHeaderFilterStrategy.BEAN, new ApiHeaderFilterStrategy());
        restConfiguration().component("platform-http").bindingMode(RestBindingMode.off)
                .endpointProperty("headerFilterStrategy", "#" + ApiHeaderFilterStrategy.BEAN);
        rest().description("Operations")
                .get("/").id("rest-root").description("What this service is").outType(ApiSchemas.Root.class)
                .responseMessage().code(200).message("Name, version and where the API is described")
                .responseModel(ApiSchemas.Root.class).endResponseMessage()
                .to(Endpoints.ROOT)
                .get("/openapi.json").id("rest-openapi").description("This API's OpenAPI 3 document")
                .responseMessage().code(200).message("The OpenAPI document").endResponseMessage()
                .to(Endpoints.OPENAPI)
                .get("/healthz").id("rest-healthz").description("Liveness").outType(ApiSchemas.Health.class)
                .responseMessage().code(200).message("Alive").responseModel(ApiSchemas.Health.class)
                .endResponseMessage()
                .to(Endpoints.HEALTHZ)
                .get("/readyz").id("rest-readyz").description("Readiness: Redis, GCS, workers and the API")
                .outType(ApiSchemas.Readiness.class)
                .responseMessage().code(200).message("Ready").responseModel(ApiSchemas.Readiness.class)
                .endResponseMessage()
                .responseMessage().code(503).message("Not ready; details say why")
                .responseModel(ApiSchemas.Readiness.class).endResponseMessage()
                .to(Endpoints.READYZ)
                .get("/metrics").id("rest-metrics").description("Prometheus text exposition (version 0.0.4)")
                .responseMessage().code(200).message("Metrics").endResponseMessage()
                .to(Endpoints.METRICS);

        from(Endpoints.ROOT).routeId("ops-root").routeConfigurationId(ApiErrorConfiguration.API_ERRORS)
                .process(e -> api.respond(e, 200, Map.of("name", "TTV Pipeline API", "version", version,
                        "description", "Text-to-video jobs on Apache Camel and Karaf", "docs_url", "/openapi.json")));
        from(Endpoints.OPENAPI).routeId("ops-openapi").routeConfigurationId(ApiErrorConfiguration.API_ERRORS)
                .process(e -> api.respond(e, 200, OpenApiDocument.of(e.getContext(), version)));

        from(Endpoints.HEALTHZ).routeId("ops-healthz").routeConfigurationId(ApiErrorConfiguration.API_ERRORS)
                .process(this::healthz);
        from(Endpoints.READYZ).routeId("ops-readyz").routeConfigurationId(ApiErrorConfiguration.API_ERRORS)
                .process(this::readyz);
        from(Endpoints.METRICS).routeId("ops-metrics").routeConfigurationId(ApiErrorConfiguration.API_ERRORS)
                .process(this::metrics);
    }

    private void healthz(Exchange exchange) {
        boolean up = HealthCheckHelper.isResultsUp(HealthCheckHelper.invokeLiveness(exchange.getContext()), false);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "healthy" : "unhealthy");
        body.put("timestamp", Timestamps.now());
        body.put("version", version);
        body.put("components", Map.of("api", up ? "healthy" : "unhealthy"));
        api.respond(exchange, up ? 200 : 503, body);
    }

    private void readyz(Exchange exchange) {
        Collection<HealthCheck.Result> results = HealthCheckHelper.invokeReadiness(exchange.getContext());
        Map<String, Object> components = new LinkedHashMap<>();
        Map<String, Object> details = new LinkedHashMap<>();
        boolean ready = true;
        for (HealthCheck.Result r : results) {
            boolean up = r.getState() == HealthCheck.State.UP;
            ready &= up;
            String id = r.getCheck().getId();
            if (r.getCheck().getGroup() != null && r.getCheck().getGroup().equals("ttv")) {
                components.put(id, up ? "healthy" : "unhealthy");
            }
            if (!up) {
                details.put(id, r.getMessage().orElse("check failed"));
            }
        }
        components.put("api", runsApi ? "healthy" : "disabled");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", ready ? "ready" : "not_ready");
        body.put("timestamp", Timestamps.now());
        body.put("version", version);
        body.put("components", components);
        if (!details.isEmpty()) {
            body.put("details", details);
        }
        api.respond(exchange, ready ? 200 : 503, body);
    }

    private void metrics(Exchange exchange) {
        String text = metrics.scrape();
        api.respond(exchange, 200, null);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, PROMETHEUS_TEXT);
        exchange.getMessage().setBody(text);
    }
}
