package io.ttv.pipeline.routes;

import org.apache.camel.Exchange;
import org.apache.camel.spi.RestRegistry;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Answers requests no REST route took: 405 {@code MethodNotAllowed} (with {@code Allow}) when the path exists for
 * other methods, otherwise 404 {@code NotFound} — both with the API's error body, never the server's plain text.
 */
public class ApiFallback {
    private static final Pattern PATH_PARAM = Pattern.compile("\\{[^/}]+}");

    public void respond(Exchange exchange) {
        String path = exchange.getMessage().getHeader(Exchange.HTTP_URI, "/", String.class);
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        String method = exchange.getMessage().getHeader(Exchange.HTTP_METHOD, "GET", String.class);
        Set<String> allowed = allowedMethods(exchange, path);
        if (!allowed.isEmpty()) {
            throw new ApiException(405, "MethodNotAllowed", method + " is not allowed on " + path,
                    Map.of("allowed", allowed), false);
        }
        throw new ApiException(404, "NotFound", "No such endpoint: " + path, Map.of("path", path), false);
    }

    /** The methods the REST DSL serves on {@code path}, from Camel's REST registry. */
    static Set<String> allowedMethods(Exchange exchange, String path) {
        Set<String> methods = new TreeSet<>();
        for (RestRegistry.RestService s : exchange.getContext().getRestRegistry().listAllRestServices()) {
            String template = join(s.getBasePath(), s.getUriTemplate());
            if (matches(template, path)) {
                methods.add(s.getMethod().toUpperCase());
            }
        }
        return methods;
    }

    private static String join(String base, String template) {
        String b = base == null ? "" : base;
        String t = template == null ? "" : template;
        String joined = (b + "/" + t).replaceAll("/+", "/");
        return joined.length() > 1 && joined.endsWith("/") ? joined.substring(0, joined.length() - 1) : joined;
    }

    static boolean matches(String template, String path) {
        String regex = PATH_PARAM.matcher(Pattern.quote(template)).replaceAll("\\\\E[^/]+\\\\Q");
        return Pattern.matches(regex, path);
    }
}
