package io.ttv.pipeline.core.http;

import io.ttv.pipeline.core.domain.Timestamps;
import io.ttv.pipeline.core.health.ComponentChecks;
import io.ttv.pipeline.core.metrics.PipelineMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

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
    private final Supplier<Map<String, String>> flows;

    /** @param flows the flows running now, by name, with the bundle that contributes each */
    public OpsRoutes(Api api, PipelineMetrics metrics, String version, boolean runsApi,
                     Supplier<Map<String, String>> flows) {
        this.flows = flows;
        this.api = api;
        this.metrics = metrics;
        this.version = version;
        this.runsApi = runsApi;
    }

    @Override
    public void configure() {
        from(RestContract.ROOT).routeId("ops-root").routeConfigurationId(ApiErrorConfiguration.API_ERRORS)
                .process(this::root);
        from(RestContract.OPENAPI).routeId("ops-openapi").routeConfigurationId(ApiErrorConfiguration.API_ERRORS)
                .process(e -> api.respond(e, 200, OpenApiDocument.of(e.getContext(), version)));

        from(RestContract.HEALTHZ).routeId("ops-healthz").routeConfigurationId(ApiErrorConfiguration.API_ERRORS)
                .process(this::healthz);
        from(RestContract.READYZ).routeId("ops-readyz").routeConfigurationId(ApiErrorConfiguration.API_ERRORS)
                .process(this::readyz);
        from(RestContract.METRICS).routeId("ops-metrics").routeConfigurationId(ApiErrorConfiguration.API_ERRORS)
                .process(this::metrics);
    }

    private void root(Exchange exchange) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", "TTV Pipeline API");
        body.put("version", version);
        body.put("description", "Text-to-video jobs on Apache Camel and Karaf");
        body.put("docs_url", "/openapi.json");
        body.put("flows", flows.get());
        api.respond(exchange, 200, body);
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
            ready &= up || !ComponentChecks.gatesReadiness(r);
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
