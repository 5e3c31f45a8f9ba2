package io.ttv.pipeline.core.http;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.RestRegistry;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The paths the REST DSL serves, as templates ({@code /v1/jobs/{id}}), read from Camel's REST registry: they name
 * a request in metrics (bounded cardinality, never a raw id) and tell a wrong method (405) from an unknown path (404).
 */
public final class PathTemplates {
    /** The label of a request no REST path matched. */
    public static final String UNMATCHED = "unmatched";
    private static final Pattern PATH_PARAM = Pattern.compile("\\{[^/}]+}");

    private final CamelContext camel;
    private volatile Snapshot snapshot = new Snapshot(-1, List.of());

    public PathTemplates(CamelContext camel) {
        this.camel = camel;
    }

    /** The template serving {@code path} (any method), or {@link #UNMATCHED}. */
    public String templateOf(String path) {
        String p = withoutTrailingSlash(path);
        for (Entry e : entries()) {
            if (e.pattern.matcher(p).matches()) {
                return e.template;
            }
        }
        return UNMATCHED;
    }

    /** The methods the REST DSL serves on {@code path}. */
    public Set<String> allowedMethods(String path) {
        String p = withoutTrailingSlash(path);
        Set<String> methods = new TreeSet<>();
        for (Entry e : entries()) {
            if (e.pattern.matcher(p).matches()) {
                methods.add(e.method);
            }
        }
        return methods;
    }

    private List<Entry> entries() {
        RestRegistry registry = camel.getRestRegistry();
        Snapshot s = snapshot;
        if (registry == null) {
            return List.of();
        }
        int size = registry.size();
        if (s.size != size) {
            List<Entry> entries = new ArrayList<>();
            for (RestRegistry.RestService r : registry.listAllRestServices()) {
                String template = join(r.getBasePath(), r.getUriTemplate());
                String regex = PATH_PARAM.matcher(Pattern.quote(template)).replaceAll("\\\\E[^/]+\\\\Q");
                entries.add(new Entry(template, r.getMethod().toUpperCase(), Pattern.compile(regex)));
            }
            s = new Snapshot(size, List.copyOf(entries));
            snapshot = s;
        }
        return s.entries;
    }

    static String withoutTrailingSlash(String path) {
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    static String join(String base, String template) {
        String b = base == null ? "" : base;
        String t = template == null ? "" : template;
        return withoutTrailingSlash(("/" + b + "/" + t).replaceAll("/+", "/"));
    }

    private record Entry(String template, String method, Pattern pattern) {
    }

    private record Snapshot(int size, List<Entry> entries) {
    }
}
