package io.ttv.itests;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy between the node and the GCS emulator that streams requests and answers through (nothing is held
 * in memory) and, when armed, answers 503 to upload requests ({@code /upload/...}): every other one, starting with
 * the first, until {@code n} were refused — so both a session start and a data request of a resumable upload fail
 * once, or each of two single-request uploads. Resumable session URLs ({@code Location}) are rewritten to point at the proxy, so the data goes through it.
 */
final class GcsFaultProxy implements AutoCloseable {
    private static final Set<String> HOP_HEADERS = Set.of("host", "content-length", "connection", "expect", "upgrade",
            "transfer-encoding", "keep-alive", "date");

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
    private final int upstreamPort;
    private final AtomicInteger toRefuse = new AtomicInteger();
    private final AtomicInteger uploadRequests = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final List<String> refusedRequests = new CopyOnWriteArrayList<>();

    GcsFaultProxy(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** From now on, refuse {@code n} upload requests (every other one). */
    void refuseUploads(int n) {
        uploadRequests.set(0);
        refused.set(0);
        refusedRequests.clear();
        toRefuse.set(n);
    }

    /** Upload requests answered 503 since {@link #refuseUploads}. */
    int refused() {
        return refused.get();
    }

    /** The requests answered 503 since {@link #refuseUploads}: method and upload step. */
    List<String> refusedRequests() {
        return List.copyOf(refusedRequests);
    }

    /** Upload requests seen since {@link #refuseUploads} (refused or forwarded). */
    int uploadRequests() {
        return uploadRequests.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            if (path.startsWith("/upload/") && toRefuse.get() > 0) {
                int ordinal = uploadRequests.incrementAndGet();
                if (ordinal % 2 == 1 && toRefuse.getAndDecrement() > 0) {
                    refused.incrementAndGet();
                    String query = String.valueOf(exchange.getRequestURI().getRawQuery());
                    refusedRequests.add(exchange.getRequestMethod() + (query.contains("upload_id=")
                            ? " (data of a resumable session)" : query.contains("uploadType=multipart")
                            ? " (single-request upload)" : " (start of a resumable upload)"));
                    exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
                    byte[] body = "{\"error\":{\"code\":503,\"message\":\"injected by the test proxy\"}}"
                            .getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().set("Content-Type", "application/json");
                    exchange.sendResponseHeaders(503, body.length);
                    exchange.getResponseBody().write(body);
                    return;
                }
            } else if (path.startsWith("/upload/")) {
                uploadRequests.incrementAndGet();
            }
            forward(exchange);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void forward(HttpExchange exchange) throws IOException, InterruptedException {
        URI target = URI.create("http://127.0.0.1:" + upstreamPort + exchange.getRequestURI().toString());
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        HttpRequest.BodyPublisher body;
        InputStream in = exchange.getRequestBody();
        if (length != null && Long.parseLong(length) == 0) {
            body = HttpRequest.BodyPublishers.noBody();
        } else if (length != null) {
            body = HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> in),
                    Long.parseLong(length));
        } else if (exchange.getRequestHeaders().containsKey("Transfer-Encoding")) {
            body = HttpRequest.BodyPublishers.ofInputStream(() -> in);
        } else {
            body = HttpRequest.BodyPublishers.noBody();
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(target).method(exchange.getRequestMethod(), body)
                .timeout(Duration.ofMinutes(5));
        for (Map.Entry<String, List<String>> h : exchange.getRequestHeaders().entrySet()) {
            if (!HOP_HEADERS.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                h.getValue().forEach(v -> request.header(h.getKey(), v));
            }
        }
        HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        response.headers().map().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (HOP_HEADERS.contains(lower) || lower.equals(":status")) {
                return;
            }
            for (String v : values) {
                exchange.getResponseHeaders().add(name, lower.equals("location")
                        ? v.replace("127.0.0.1:" + upstreamPort, "127.0.0.1:" + port())
                        .replace("localhost:" + upstreamPort, "127.0.0.1:" + port()) : v);
            }
        });
        long responseLength = response.headers().firstValueAsLong("Content-Length").orElse(-2);
        boolean noBody = exchange.getRequestMethod().equals("HEAD") || response.statusCode() == 204
                || response.statusCode() == 304 || responseLength == 0;
        exchange.sendResponseHeaders(response.statusCode(), noBody ? -1 : Math.max(0, responseLength));
        try (InputStream from = response.body()) {
            if (noBody) {
                from.transferTo(OutputStream.nullOutputStream());
            } else {
                from.transferTo(exchange.getResponseBody());
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
