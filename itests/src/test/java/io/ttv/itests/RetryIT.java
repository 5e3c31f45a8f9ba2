package io.ttv.itests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Retries of docs/generators.md, black-box: the node's {@code fal} backend points at a fake fal.ai queue API in this test whose
 * answer to a submit is scripted by the job's prompt: 503 twice then a real video, 422, or 503 for ever. The video it
 * serves is one the node itself rendered with the {@code local} generator.
 */
class RetryIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ATTEMPTS = 3;
    private static final String TWICE_BUSY = "busy twice then done";
    private static final String REFUSED = "refused by the provider";
    private static final String ALWAYS_BUSY = "busy every time";
    /** Submits received per prompt. */
    private static final Map<String, AtomicInteger> SUBMITS = new ConcurrentHashMap<>();
    private static HttpServer provider;
    private static String base;
    private static Distribution dist;
    private static byte[] video;

    @BeforeAll
    static void start() throws Exception {
        provider = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        provider.createContext("/", RetryIT::fakeFal);
        provider.start();
        base = "http://127.0.0.1:" + provider.getAddress().getPort();
        dist = new Distribution(Map.of(
                "TTV_FAL_API_KEY", "it-fal-key",
                "TTV_FAL_BASE_URL", base,
                "TTV_FAL_MODEL", "test-model",
                "TTV_GENERATOR_POLL_INTERVAL_MS", "50",
                "TTV_MAX_ATTEMPTS", Integer.toString(MAX_ATTEMPTS),
                "TTV_RETRY_BACKOFF_SECONDS", "1"));
        // The provider's "result": a 1 s MP4 rendered by this node's local generator.
        String source = create("{\"prompt\":\"the provider's video\",\"duration_seconds\":1}");
        assertEquals("finished", awaitEnd(source).get("status").asText());
        JsonNode link = JSON.readTree(dist.get("/v1/jobs/" + source + "/artifact").body());
        video = dist.http.send(HttpRequest.newBuilder(URI.create(link.get("url").asText())).build(),
                HttpResponse.BodyHandlers.ofByteArray()).body();
        assertEquals(link.get("size_bytes").asLong(), video.length);
    }

    @AfterAll
    static void stop() throws Exception {
        if (dist != null) {
            dist.close();
        }
        if (provider != null) {
            provider.stop(0);
        }
    }

    /** fal.ai's queue API: POST /{model}, GET …/status, GET the response, GET the video. */
    private static void fakeFal(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (exchange.getRequestMethod().equals("POST") && path.equals("/test-model")) {
                String prompt = JSON.readTree(exchange.getRequestBody().readAllBytes()).get("prompt").asText();
                int n = SUBMITS.computeIfAbsent(prompt, p -> new AtomicInteger()).incrementAndGet();
                switch (prompt) {
                    case REFUSED -> respond(exchange, 422, Map.of("detail", "the prompt violates the content policy"));
                    case ALWAYS_BUSY -> respond(exchange, 503, Map.of("detail", "no capacity"));
                    default -> {
                        if (prompt.equals(TWICE_BUSY) && n <= 2) {
                            respond(exchange, 503, Map.of("detail", "no capacity"));
                            return;
                        }
                        String request = base + "/test-model/requests/req-" + Math.abs(prompt.hashCode()) + "-" + n;
                        respond(exchange, 200, Map.of("request_id", "req-" + n, "status_url", request + "/status",
                                "response_url", request, "cancel_url", request + "/cancel"));
                    }
                }
            } else if (path.endsWith("/status")) {
                respond(exchange, 200, Map.of("status", "COMPLETED"));
            } else if (path.startsWith("/test-model/requests/")) {
                respond(exchange, 200, Map.of("video", Map.of("url", base + "/files/video.mp4")));
            } else if (path.equals("/files/video.mp4")) {
                exchange.getResponseHeaders().set("Content-Type", "video/mp4");
                exchange.sendResponseHeaders(200, video.length);
                exchange.getResponseBody().write(video);
            } else {
                respond(exchange, 404, Map.of("detail", "not found"));
            }
        }
    }

    private static void respond(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static String create(String body) throws IOException {
        HttpResponse<String> r = dist.postJson("/v1/jobs", body);
        assertEquals(202, r.statusCode(), r.body());
        return JSON.readTree(r.body()).get("id").asText();
    }

    /** Submits a {@code fal} job with {@code prompt}, waits for its end and prints how long that took. */
    private static JsonNode runToEnd(String prompt, String scripted) throws Exception {
        long t0 = System.nanoTime();
        JsonNode job = awaitEnd(create("{\"prompt\":\"" + prompt + "\",\"generator\":\"fal\","
                + "\"duration_seconds\":5}"));
        System.out.printf("RetryIT: %s -> %s after %d attempt(s) in %d ms%n", scripted, job.get("status").asText(),
                job.get("attempts").asInt(), (System.nanoTime() - t0) / 1_000_000);
        return job;
    }

    private static JsonNode awaitEnd(String id) throws InterruptedException {
        JsonNode[] job = new JsonNode[1];
        Processes.await("job " + id + " to end", Duration.ofSeconds(90), () -> {
            job[0] = dist.job(id);
            return Set.of("finished", "failed", "canceled").contains(job[0].get("status").asText());
        });
        return job[0];
    }

    private static List<String> logLines(String id) throws IOException {
        List<String> lines = new ArrayList<>();
        JSON.readTree(dist.get("/v1/jobs/" + id + "/logs?tail=100").body()).get("lines")
                .forEach(l -> lines.add(l.asText().replaceFirst("^\\[[^]]*] ", "")));
        return lines;
    }

    private static long count(List<String> lines, String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).count();
    }

    @Test
    void aRetryableErrorTwiceThenSuccessFinishesOnTheThirdAttempt() throws Exception {
        JsonNode job = runToEnd(TWICE_BUSY, "503, 503, video");
        String id = job.get("id").asText();
        assertEquals("finished", job.get("status").asText(), job.toString());
        assertEquals(3, job.get("attempts").asInt());
        assertTrue(job.get("error").isNull(), job.toString());
        assertEquals(3, SUBMITS.get(TWICE_BUSY).get(), "one submit per attempt");
        JsonNode link = JSON.readTree(dist.get("/v1/jobs/" + id + "/artifact").body());
        assertEquals(video.length, link.get("size_bytes").asLong(), "the artifact is the provider's video");

        List<String> log = logLines(id);
        assertEquals(3, count(log, "started on worker"), log.toString());
        assertEquals(3, count(log, "rendering with generator fal"), log.toString());
        assertEquals(1, count(log, "attempt 1 failed: fal.ai had a server error (HTTP 503)"), log.toString());
        assertEquals(1, count(log, "attempt 2 failed: fal.ai had a server error (HTTP 503)"), log.toString());
        assertEquals("finished", log.get(log.size() - 1), log.toString());
    }

    @Test
    void aNonRetryableErrorFailsTheJobAfterOneAttempt() throws Exception {
        JsonNode job = runToEnd(REFUSED, "422");
        String id = job.get("id").asText();
        assertEquals("failed", job.get("status").asText(), job.toString());
        assertEquals(1, job.get("attempts").asInt());
        assertFalse(job.get("retryable").asBoolean(), job.toString());
        String error = job.get("error").asText();
        assertEquals("fal.ai rejected the request (HTTP 422): the prompt violates the content policy", error);
        assertFalse(error.contains("it-fal-key") || error.contains("127.0.0.1"), "nothing internal in " + error);
        assertEquals(1, SUBMITS.get(REFUSED).get(), "not submitted again");
        List<String> log = logLines(id);
        assertEquals(1, count(log, "started on worker"), log.toString());
        assertEquals(0, count(log, "attempt "), log.toString());
        assertEquals("failed: " + error, log.get(log.size() - 1));
    }

    @Test
    void aRetryableErrorOnEveryAttemptFailsTheJobAfterMaxAttempts() throws Exception {
        JsonNode job = runToEnd(ALWAYS_BUSY, "503 on every submit");
        String id = job.get("id").asText();
        assertEquals("failed", job.get("status").asText(), job.toString());
        assertEquals(MAX_ATTEMPTS, job.get("attempts").asInt());
        assertEquals("fal.ai had a server error (HTTP 503): no capacity", job.get("error").asText());
        // The error itself stays classified retryable: a client may submit the job again later.
        assertTrue(job.get("retryable").asBoolean(), job.toString());
        assertEquals(MAX_ATTEMPTS, SUBMITS.get(ALWAYS_BUSY).get());
        List<String> log = logLines(id);
        assertEquals(MAX_ATTEMPTS, count(log, "started on worker"), log.toString());
        assertEquals(1, count(log, "attempt 1 failed"), log.toString());
        assertEquals(1, count(log, "attempt 2 failed"), log.toString());
        assertEquals(0, count(log, "attempt 3 failed"), "the last attempt is not retried: " + log);
        assertEquals("failed: fal.ai had a server error (HTTP 503): no capacity", log.get(log.size() - 1));
    }
}
