package io.ttv.pipeline.core.http;

import org.apache.camel.http.base.HttpHeaderFilterStrategy;

/**
 * platform-http's header filter, minus the rule that drops {@code Cache-Control}: job resources must carry
 * {@code Cache-Control: no-store}. Inbound request headers never reach the response anyway ({@link Api#respond}).
 */
public class ApiHeaderFilterStrategy extends HttpHeaderFilterStrategy {
    public static final String BEAN = "apiHeaderFilterStrategy";

    public ApiHeaderFilterStrategy() {
        getOutFilter().remove("cache-control");
    }
}
