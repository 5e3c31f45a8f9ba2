package io.ttv.pipeline.core.http;

import io.ttv.pipeline.core.http.PathTemplates;
import org.apache.camel.Exchange;

import java.util.Map;
import java.util.Set;

/**
 * Answers requests no REST route took: 405 {@code MethodNotAllowed} (with {@code Allow}) when the path exists for
 * other methods, otherwise 404 {@code NotFound} — both with the API's error body, never the server's plain text.
 */
public class ApiFallback {
    private final PathTemplates templates;

    public ApiFallback(PathTemplates templates) {
        this.templates = templates;
    }

    public void respond(Exchange exchange) {
        String path = exchange.getMessage().getHeader(Exchange.HTTP_URI, "/", String.class);
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        String method = exchange.getMessage().getHeader(Exchange.HTTP_METHOD, "GET", String.class);
        Set<String> allowed = templates.allowedMethods(path);
        if (!allowed.isEmpty()) {
            throw new ApiException(405, "MethodNotAllowed", method + " is not allowed on " + path,
                    Map.of("allowed", allowed), false);
        }
        throw new ApiException(404, "NotFound", "No such endpoint: " + path, Map.of("path", path), false);
    }
}
