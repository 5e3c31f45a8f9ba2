package io.ttv.pipeline.core.http;

import io.ttv.pipeline.core.http.PathTemplates;
import org.apache.camel.builder.RouteBuilder;

/**
 * The route that answers what no REST route matched (404/405 with the error body). It registers a catch-all
 * path on the HTTP router, so it must start after every REST route: the node adds this builder last, and routes
 * without an explicit startup order start in the order they were added. (An explicit order does not help: the
 * supervising route controller starts routes with one before all others.)
 */
public class FallbackRoutes extends RouteBuilder {
    @Override
    public void configure() {
        from("platform-http:/?matchOnUriPrefix=true&headerFilterStrategy=#" + ApiHeaderFilterStrategy.BEAN)
                .routeId("api-fallback")
                .routeConfigurationId(ApiErrorConfiguration.API_ERRORS)
                .bean(new ApiFallback(new PathTemplates(getContext())), "respond");
    }
}
