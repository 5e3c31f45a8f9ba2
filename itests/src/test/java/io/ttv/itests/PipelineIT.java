package io.ttv.itests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The first end-to-end job, black-box: REST intake → Redis queue → local generator → GCS (emulator) → finished →
 * signed callback, against the assembled Karaf distribution.
 */
class PipelineIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Distribution dist;
    private static HttpServer receiver;
    private static final BlockingQueue<Map<String, Object>> CALLBACKS = new LinkedBlockingQueue<>();

    @BeforeAll
    static void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            CALLBACKS.add(Map.of(
                    "body", new String(body, StandardCharsets.UTF_8),
                    "id", String.valueOf(exchange.getRequestHeaders().getFirst("webhook-id")),
                    "timestamp", String.valueOf(exchange.getRequestHeaders().getFirst("webhook-timestamp")),
                    "signature", String.valueOf(exchange.getRequestHeaders().getFirst("webhook-signature"))));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        dist = new Distribution();
    }

    @AfterAll
    static void stop() throws Exception {
        if (receiver != null) {
            receiver.stop(0);
        }
        if (dist != null) {
            dist.close();
        }
    }

    @Test
    void jobRunsEndToEndWithArtifactCallbackAndMetrics() throws Exception {
        String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        HttpResponse<String> created = dist.postJson("/v1/jobs", """
                {"prompt": "  a red   fox in snow ", "duration_seconds": 3, "aspect_ratio": "9:16", "seed": 42,
                 "callback_url": "%s", "callback_events": ["finished", "failed"], "metadata": {"client": "it"}}
                """.formatted(hook));
        assertEquals(202, created.statusCode(), created.body());
        JsonNode accepted = JSON.readTree(created.body());
        String id = accepted.get("id").asText();
        assertEquals("queued", accepted.get("status").asText());
        assertEquals("/v1/jobs/" + id, created.headers().firstValue("Location").orElseThrow());

        JsonNode[] job = new JsonNode[1];
        Processes.await("job " + id + " to finish", Duration.ofSeconds(90), () -> {
            job[0] = dist.job(id);
            String status = job[0].get("status").asText();
            if (status.equals("failed")) {
                throw new AssertionError("job failed: " + job[0]);
            }
            return status.equals("finished");
        });
        assertEquals(100, job[0].get("progress").asInt());
        assertEquals("a red fox in snow", job[0].get("prompt").asText());
        assertEquals("it", job[0].get("metadata").get("client").asText());
        String gcsUri = job[0].get("gcs_uri").asText();
        assertTrue(gcsUri.matches("gs://ttv-api-artifacts/ttv-api/\\d{4}-\\d{2}/" + id + "/final_video\\.mp4"), gcsUri);

        HttpResponse<String> artifact = dist.get("/v1/jobs/" + id + "/artifact");
        assertEquals(200, artifact.statusCode(), artifact.body());
        JsonNode link = JSON.readTree(artifact.body());
        assertEquals("video/mp4", link.get("content_type").asText());
        Path video = dist.work.resolve(id + ".mp4");
        HttpResponse<Path> download = dist.http.send(HttpRequest.newBuilder(URI.create(link.get("url").asText())).build(),
                HttpResponse.BodyHandlers.ofFile(video));
        assertEquals(200, download.statusCode());
        assertEquals(link.get("size_bytes").asLong(), Files.size(video));

        JsonNode probe = ffprobe(video);
        JsonNode stream = probe.get("streams").get(0);
        assertEquals("h264", stream.get("codec_name").asText());
        assertEquals(360, stream.get("width").asInt());
        assertEquals(640, stream.get("height").asInt());
        double duration = probe.get("format").get("duration").asDouble();
        assertEquals(3.0, duration, 0.1, "video duration");

        Map<String, Object> callback = CALLBACKS.poll(30, TimeUnit.SECONDS);
        assertNotNull(callback, "no callback received");
        JsonNode event = JSON.readTree((String) callback.get("body"));
        assertEquals("job.finished", event.get("type").asText());
        assertEquals(id, event.get("data").get("id").asText());
        assertEquals("finished", event.get("data").get("status").asText());
        String expected = "v1," + hmac(callback.get("id") + "." + callback.get("timestamp") + "." + callback.get("body"));
        assertEquals(expected, callback.get("signature"), "webhook-signature");

        String metrics = dist.get("/metrics").body();
        double completed = metric(metrics, "jobs_completed_total");
        assertTrue(completed >= 1, "jobs_completed_total = " + completed);
    }

    @Test
    void cancelingARunningJobAbortsItsWorkAndItStaysCanceled() throws Exception {
        String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        String id = JSON.readTree(dist.postJson("/v1/jobs", """
                {"prompt": "cancel me", "duration_seconds": 60, "callback_url": "%s", "callback_events": ["canceled"]}
                """.formatted(hook)).body()).get("id").asText();
        Processes.await("job " + id + " to be rendering", Duration.ofSeconds(60),
                () -> "progress".equals(dist.job(id).get("status").asText()));

        HttpResponse<String> canceled = dist.send(HttpRequest.newBuilder(dist.uri("/v1/jobs/" + id + "/cancel"))
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        long answeredAt = System.nanoTime();
        Instant answered = Instant.now();
        assertEquals(200, canceled.statusCode(), canceled.body());
        assertEquals("canceled", JSON.readTree(canceled.body()).get("status").asText());

        // Stopped = the job's log says the worker aborted it and the node runs no job any more (the poll's own
        // 100 ms period and requests are included in the figure, so it is an upper bound).
        Processes.await("the worker to abort job " + id, Duration.ofSeconds(30),
                () -> logLines(id).stream().anyMatch(l -> l.contains("canceled while running"))
                        && dist.get("/metrics").body().contains("worker_active_jobs 0.0"));
        long stoppedMs = (System.nanoTime() - answeredAt) / 1_000_000;
        String line = logLines(id).stream().filter(l -> l.contains("canceled while running")).findFirst().orElseThrow();
        long loggedMs = Duration.between(answered, Instant.parse(line.substring(1, line.indexOf(']')))).toMillis();
        System.out.printf("PipelineIT: cancel answered -> worker stopped (observed) %d ms; abort logged %d ms after "
                + "the answer%n", stoppedMs, loggedMs);
        assertTrue(stoppedMs <= 2_000, "a running job stops within 2 s of its cancel, took " + stoppedMs + " ms");
        JsonNode job = dist.job(id);
        assertEquals("canceled", job.get("status").asText());
        assertTrue(job.get("gcs_uri").isNull(), "no artifact for a canceled job");
        assertTrue(logLines(id).stream().noneMatch(l -> l.endsWith("] finished")), "never finished");
        try (Jedis redis = new Jedis("127.0.0.1", dist.redisPort)) {
            assertTrue(redis.keys("ttv:worker:*:processing").stream().noneMatch(k -> redis.lrange(k, 0, -1)
                    .contains(id)), "acknowledged: in no processing list");
        }

        Map<String, Object> callback = null;
        for (Map<String, Object> c; (c = CALLBACKS.poll(30, TimeUnit.SECONDS)) != null; ) {
            if (c.get("body").toString().contains(id)) {
                callback = c;
                break;
            }
        }
        assertNotNull(callback, "no canceled callback");
        assertEquals("job.canceled", JSON.readTree((String) callback.get("body")).get("type").asText());
    }

    /** The job's log lines, {@code [timestamp] message}. */
    private static List<String> logLines(String id) {
        try {
            List<String> lines = new java.util.ArrayList<>();
            JSON.readTree(dist.get("/v1/jobs/" + id + "/logs?tail=100").body()).get("lines")
                    .forEach(l -> lines.add(l.asText()));
            return lines;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void invalidJobIsRefusedWithTheErrorBodyAndNothingStored() throws Exception {
        long before;
        try (Jedis redis = new Jedis("127.0.0.1", dist.redisPort)) {
            before = redis.zcard("rq:jobs");
        }
        HttpResponse<String> r = dist.postJson("/v1/jobs", "{\"prompt\": \"   \"}");
        assertEquals(400, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        JsonNode error = JSON.readTree(r.body());
        assertEquals("ValidationError", error.get("error").asText());
        assertEquals("prompt", error.get("details").get("field").asText());
        assertEquals(r.headers().firstValue("X-Request-ID").orElseThrow(), error.get("request_id").asText());
        for (String field : List.of("message", "timestamp", "retryable")) {
            assertTrue(error.has(field), field);
        }

        HttpResponse<String> unknown = dist.postJson("/v1/jobs", "{\"prompt\": \"ok\", \"colour\": \"red\"}");
        assertEquals(400, unknown.statusCode());
        assertTrue(unknown.body().contains("colour"), unknown.body());

        try (Jedis redis = new Jedis("127.0.0.1", dist.redisPort)) {
            assertEquals(before, redis.zcard("rq:jobs"));
        }
        HttpResponse<String> missing = dist.get("/v1/jobs/00000000-0000-4000-8000-000000000000");
        assertEquals(404, missing.statusCode());
        assertEquals("JobNotFound", JSON.readTree(missing.body()).get("error").asText());
    }

    @Test
    void healthEndpointsReportTheComponents() throws Exception {
        JsonNode health = JSON.readTree(dist.get("/healthz").body());
        assertEquals("healthy", health.get("status").asText());
        JsonNode ready = JSON.readTree(dist.get("/readyz").body());
        assertEquals("ready", ready.get("status").asText());
        for (String component : List.of("redis", "gcs", "workers", "api")) {
            assertEquals("healthy", ready.get("components").get(component).asText(), component);
        }
    }

    @Test
    void karafConsoleAnswersThroughBinClient() throws Exception {
        String[] out = new String[1];
        Processes.await("the Karaf console over SSH", Duration.ofSeconds(60), () -> {
            try {
                out[0] = dist.console("bundle:list -s");
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return out[0].contains("io.ttv.flow.intake");
        });
        for (String bundle : new String[] {"io.ttv.pipeline.api", "io.ttv.core", "io.ttv.flow.intake",
                "io.ttv.flow.processing", "io.ttv.flow.callbacks", "io.ttv.flow.admin", "io.ttv.generator.local",
                "io.ttv.generator.remote", "io.ttv.blueprint", "io.ttv.shell"}) {
            String line = out[0].lines().filter(l -> l.endsWith(" " + bundle) || l.contains(" " + bundle + " "))
                    .findFirst().orElseThrow(() -> new AssertionError(bundle + " not listed:\n" + out[0]));
            assertTrue(line.contains("Active"), line);
        }
    }

    private static JsonNode ffprobe(Path video) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ffprobe", "-v", "error", "-select_streams", "v:0",
                "-show_entries", "stream=codec_name,width,height", "-show_entries", "format=duration",
                "-of", "json", video.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return JSON.readTree(out);
    }

    private static String hmac(String payload) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Distribution.CALLBACK_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return Base64.getEncoder().encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
    }

    private static double metric(String exposition, String name) {
        return exposition.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
