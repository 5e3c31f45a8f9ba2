package io.ttv.pipeline.core.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;

/** The requests this service sends to others: the video providers' APIs and the callback targets. */
public final class OutboundRequests {
    private OutboundRequests() {
    }

    /**
     * A request to {@code uri}. A plain-http target is spoken to in HTTP/1.1 from the start: the JDK client would
     * otherwise offer an upgrade to h2c on every new connection (headers that servers refuse or ignore, and a
     * slower first exchange). HTTPS targets still get HTTP/2 when they offer it through ALPN.
     */
    public static HttpRequest.Builder to(URI uri) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri);
        if ("http".equalsIgnoreCase(uri.getScheme())) {
            builder.version(HttpClient.Version.HTTP_1_1);
        }
        return builder;
    }
}
