package io.ttv.itests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Artifacts and callbacks of the assembled distribution, black-box: the GCS layout, object metadata and manifest
 * (read back from the emulator's JSON API), a 200 MB artifact from a remote generator on a node whose heap is capped
 * at 256 MB, GCS uploads surviving injected 503s, callback delivery latency over 100 jobs, and the admin
 * dead-letter endpoints. GCS traffic of the node goes through {@link GcsFaultProxy}.
 */
class ArtifactIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "it-admin-key";
    private static final String PREFIX = "ttv-api";
    /** 200 MiB: the large artifact the fake provider serves. */
    private static final long LARGE = 200L * 1024 * 1024;
    private static final byte[] BLOCK = new byte[1024 * 1024];
    /** The start of an MP4 file: an ftyp box (isom). */
    private static final byte[] FTYP = {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm', 0, 0, 2, 0,
            'i', 's', 'o', 'm', 'm', 'p', '4', '1'};

    private static Distribution dist;
    private static GcsFaultProxy proxy;
    private static HttpServer outside;
    private static ExecutorService outsideThreads;
    private static final AtomicInteger DEAD_STATUS = new AtomicInteger(500);
    private static final Map<String, Long> FINISHED_RECEIVED = new ConcurrentHashMap<>();
    private static final Map<String, String> FINISHED_BODIES = new ConcurrentHashMap<>();
    private static final Map<String, Integer> DEAD_ANSWERS = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        new Random(42).nextBytes(BLOCK);
        outsideThreads = Executors.newCachedThreadPool();
        outside = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
        outside.setExecutor(outsideThreads);
        outside.createContext("/hook", ArtifactIT::hook);
        outside.createContext("/dead", ArtifactIT::deadHook);
        outside.createContext("/fal/", ArtifactIT::fakeFal);
        outside.start();
        String base = "http://127.0.0.1:" + outside.getAddress().getPort();

        int emulatorPort = Processes.freePort();
        proxy = new GcsFaultProxy(emulatorPort);
        dist = new Distribution(Map.ofEntries(
                Map.entry("TTV_GCS_ENDPOINT", "http://127.0.0.1:" + proxy.port()),
                Map.entry("TTV_API_KEYS", KEY),
                Map.entry("TTV_RATE_LIMIT", "0"),
                // One job start: a failed upload would fail the job, so a finished job proves the GCS client retried.
                Map.entry("TTV_MAX_ATTEMPTS", "1"),
                Map.entry("TTV_CALLBACK_RETRY_SCHEDULE", "200ms,200ms"),
                Map.entry("TTV_FAL_API_KEY", "it-fal-key"),
                Map.entry("TTV_FAL_BASE_URL", base + "/fal"),
                Map.entry("TTV_FAL_MODEL", "fake/text-to-video"),
                Map.entry("TTV_GENERATOR_POLL_INTERVAL_MS", "100"),
                // bin/setenv appends its options to EXTRA_JAVA_OPTS, which follow its JAVA_OPTS (-Xmx160m): the last
                // -Xmx wins.
                Map.entry("EXTRA_JAVA_OPTS", "-Xmx256m")), emulatorPort);
    }

    @AfterAll
    static void stop() throws Exception {
        if (dist != null) {
            dist.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (outside != null) {
            outside.stop(0);
            outsideThreads.shutdownNow();
        }
    }

    @Test
    void uploadHasTheLayoutMetadataAndAManifestMatchingTheDownload() throws Exception {
        String id = submit("{\"prompt\": \"layout check\", \"duration_seconds\": 1, \"aspect_ratio\": \"1:1\", "
                + "\"seed\": 7}");
        JsonNode job = awaitFinished(id, Duration.ofSeconds(90));
        YearMonth month = YearMonth.from(Instant.parse(job.get("created_at").asText()).atZone(ZoneOffset.UTC));
        String folder = PREFIX + "/" + month + "/" + id + "/";
        assertEquals("gs://" + Distribution.BUCKET + "/" + folder + "final_video.mp4", job.get("gcs_uri").asText());

        JsonNode video = objectResource(folder + "final_video.mp4");
        assertEquals("video/mp4", video.get("contentType").asText());
        assertEquals(id, video.get("metadata").get("job_id").asText(), video.toString());
        assertEquals("local", video.get("metadata").get("generator").asText(), video.toString());
        JsonNode manifestObject = objectResource(folder + "job.json");
        assertEquals("application/json", manifestObject.get("contentType").asText());
        assertEquals(id, manifestObject.get("metadata").get("job_id").asText());

        JsonNode manifest = JSON.readTree(objectBytes(folder + "job.json"));
        assertEquals(id, manifest.get("job_id").asText());
        assertEquals("layout check", manifest.get("prompt").asText());
        assertEquals("local", manifest.get("generator").asText());
        assertEquals(1.0, manifest.get("duration_seconds").asDouble());
        assertEquals("1:1", manifest.get("aspect_ratio").asText());
        assertEquals(7, manifest.get("seed").asLong());
        assertEquals(job.get("created_at").asText(), manifest.get("created_at").asText());
        assertFalse(manifest.get("started_at").isNull());
        assertFalse(manifest.get("uploaded_at").isNull());
        assertEquals("video/mp4", manifest.get("video").get("content_type").asText());

        Download d = downloadArtifact(id);
        assertEquals(d.size, manifest.get("video").get("size_bytes").asLong());
        assertEquals(d.sha256, manifest.get("video").get("sha256").asText());
        assertEquals(d.size, video.get("size").asLong());
        assertEquals(d.size, d.link.get("size_bytes").asLong());
        assertEquals(d.sha256, d.link.get("sha256").asText());
    }

    @Test
    void a200MbArtifactUploadsFromANodeWithA256MbHeap() throws Exception {
        String metricsBefore = dist.get("/metrics").body();
        double heapMax = metric(metricsBefore, "jvm_memory_max_bytes", "area=\"heap\"");
        assertTrue(heapMax > 200 * 1024 * 1024 && heapMax <= 256 * 1024 * 1024,
                "node heap limit " + heapMax + " is not the 256 MB cap");
        double countBefore = metric(metricsBefore, "gcs_upload_duration_seconds_count", "");
        double sumBefore = metric(metricsBefore, "gcs_upload_duration_seconds_sum", "");

        proxy.refuseUploads(2);
        String id = submit("{\"prompt\": \"a large artifact\", \"generator\": \"fal\", \"duration_seconds\": 1, "
                + "\"aspect_ratio\": \"1:1\"}");
        JsonNode job = awaitFinished(id, Duration.ofMinutes(5));
        List<String> refused = proxy.refusedRequests();
        proxy.refuseUploads(0);
        assertEquals(List.of("POST (start of a resumable upload)", "PUT (data of a resumable session)"), refused,
                "a resumable upload (the file is larger than one chunk) whose start and first chunk were refused");
        assertEquals(1, job.get("attempts").asInt(), "retried by the GCS client, not by a second job start");

        String metricsAfter = dist.get("/metrics").body();
        assertEquals(1.0, metric(metricsAfter, "gcs_upload_duration_seconds_count", "") - countBefore,
                "only this job uploaded meanwhile");
        double seconds = metric(metricsAfter, "gcs_upload_duration_seconds_sum", "") - sumBefore;
        Download d = downloadArtifact(id);
        String expected = sha256OfLarge();
        assertEquals(LARGE, d.size);
        assertEquals(expected, d.sha256);
        assertEquals(LARGE, objectResource(objectName(job)).get("size").asLong());
        assertEquals(expected, d.link.get("sha256").asText());
        assertFalse(dist.karafLog().contains("OutOfMemoryError"), "the node ran out of memory");
        System.out.printf("ArtifactIT: 200 MiB artifact (%d bytes) uploaded in %.2f s = %.1f MB/s (%.1f MiB/s), "
                        + "node heap cap %.0f MiB (-Xmx256m), through the test proxy%n", LARGE, seconds,
                LARGE / 1e6 / seconds, LARGE / 1048576.0 / seconds, heapMax / 1048576.0);
    }

    @Test
    void uploadSurvivesInjected503s() throws Exception {
        proxy.refuseUploads(2);
        String id = submit("{\"prompt\": \"flaky storage\", \"duration_seconds\": 1, \"aspect_ratio\": \"1:1\"}");
        JsonNode job = awaitFinished(id, Duration.ofSeconds(90));
        int refused = proxy.refused();
        int seen = proxy.uploadRequests();
        List<String> which = proxy.refusedRequests();
        proxy.refuseUploads(0);
        assertEquals(2, refused, "503s injected");
        assertEquals(List.of("POST (single-request upload)", "POST (single-request upload)"), which,
                "the video and the manifest, each one request with its metadata, each refused once");
        assertEquals(4, seen, "each refused upload was sent once more, nothing else");
        assertEquals(1, job.get("attempts").asInt(), "retried by the GCS client, not by a second job start");
        Download d = downloadArtifact(id);
        assertEquals(d.link.get("size_bytes").asLong(), d.size);
        assertEquals(d.link.get("sha256").asText(), d.sha256);
        assertEquals(d.size, objectResource(objectName(job)).get("size").asLong());
        System.out.printf("ArtifactIT: %d upload requests answered 503 by the proxy and retried %s (%d upload "
                + "requests in all); job finished on its first attempt%n", refused, which, seen);
    }

    @Test
    void callbacksArriveQuicklyAfterTheJobFinishes() throws Exception {
        String hook = "http://127.0.0.1:" + outside.getAddress().getPort() + "/hook";
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ids.add(submit("{\"prompt\": \"latency " + i + "\", \"duration_seconds\": 1, \"aspect_ratio\": \"1:1\", "
                    + "\"callback_url\": \"" + hook + "\", \"callback_events\": [\"finished\"]}"));
        }
        Processes.await("100 job.finished callbacks", Duration.ofMinutes(6),
                () -> ids.stream().allMatch(FINISHED_RECEIVED::containsKey));
        List<Long> latencies = new ArrayList<>();
        for (String id : ids) {
            JsonNode event = JSON.readTree(FINISHED_BODIES.get(id));
            assertEquals("job.finished", event.get("type").asText());
            Instant finished = Instant.parse(event.get("data").get("finished_at").asText());
            latencies.add(FINISHED_RECEIVED.get(id) - finished.toEpochMilli());
        }
        latencies.sort(null);
        long median = (latencies.get(49) + latencies.get(50)) / 2;
        long p95 = latencies.get(94);
        System.out.printf("ArtifactIT: callback delivery latency (receiver got job.finished - finished_at) over 100 "
                + "jobs: median %d ms, p95 %d ms, max %d ms%n", median, p95, latencies.get(99));
        assertTrue(median < 2000, "median callback latency " + median + " ms");
        assertTrue(p95 < 10_000, "p95 callback latency " + p95 + " ms");
    }

    @Test
    void deadLettersAreListedAndReplayedThroughTheAdminEndpoints() throws Exception {
        String list = "/v1/admin/callbacks/dead-letters";
        for (String[] call : new String[][] {{"GET", list}, {"POST", list + "/replay"}, {"POST", list + "/x_finished/replay"}}) {
            HttpResponse<String> r = call(call[0], call[1], null, null);
            assertEquals(401, r.statusCode(), call[1]);
            assertEquals("Unauthorized", JSON.readTree(r.body()).get("error").asText());
            assertEquals("Bearer realm=\"ttv\"", r.headers().firstValue("WWW-Authenticate").orElse(""));
        }

        DEAD_STATUS.set(500);
        String hook = "http://127.0.0.1:" + outside.getAddress().getPort() + "/dead";
        String id = submit("{\"prompt\": \"dead letter\", \"duration_seconds\": 1, \"aspect_ratio\": \"1:1\", "
                + "\"callback_url\": \"" + hook + "\", \"callback_events\": [\"finished\"]}");
        awaitFinished(id, Duration.ofSeconds(90));
        String entry = id + "_finished";
        JsonNode[] listed = new JsonNode[1];
        Processes.await("dead letter " + entry, Duration.ofSeconds(60), () -> {
            listed[0] = findEntry(entry);
            return listed[0] != null;
        });
        assertEquals(id, listed[0].get("job_id").asText());
        assertEquals("finished", listed[0].get("event").asText());
        assertEquals(hook, listed[0].get("target").asText());
        assertEquals(3, listed[0].get("attempts").asInt(), "one attempt and the two retries of the schedule");
        assertEquals(3, DEAD_ANSWERS.get(id).intValue());

        HttpResponse<String> unknown = call("POST", list + "/00000000-0000-4000-8000-000000000000_finished/replay",
                KEY, null);
        assertEquals(404, unknown.statusCode(), unknown.body());
        assertEquals("application/json", unknown.headers().firstValue("Content-Type").orElse(""));
        JsonNode error = JSON.readTree(unknown.body());
        assertEquals("NotFound", error.get("error").asText());
        assertEquals(unknown.headers().firstValue("X-Request-ID").orElseThrow(), error.get("request_id").asText());
        for (String field : List.of("message", "details", "timestamp", "retryable")) {
            assertTrue(error.has(field), field);
        }

        DEAD_STATUS.set(200);
        HttpResponse<String> replay = call("POST", list + "/" + entry + "/replay", KEY, null);
        assertEquals(200, replay.statusCode(), replay.body());
        assertEquals(1, JSON.readTree(replay.body()).get("replayed").asInt());
        Processes.await("the replayed callback to be delivered", Duration.ofSeconds(30),
                () -> DEAD_ANSWERS.get(id) == 4);
        assertNull(findEntry(entry), "a delivered replay leaves the list");

        String openapi = dist.get("/openapi.json").body();
        assertTrue(openapi.contains("\"/v1/admin/callbacks/dead-letters/{id}/replay\""), "admin paths in OpenAPI");
        assertTrue(dist.get("/metrics").body()
                        .contains("path=\"/v1/admin/callbacks/dead-letters/{id}/replay\""),
                "admin requests counted by path template");
    }

    // ---- the outside world: callback receivers and a fake fal.ai ---------------------------------------------------

    private static void hook(HttpExchange exchange) throws IOException {
        long received = System.currentTimeMillis();
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            JsonNode event = JSON.readTree(body);
            if ("job.finished".equals(event.path("type").asText())) {
                String id = event.get("data").get("id").asText();
                FINISHED_BODIES.putIfAbsent(id, body);
                FINISHED_RECEIVED.putIfAbsent(id, received);
            }
            exchange.sendResponseHeaders(204, -1);
        }
    }

    private static void deadHook(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonNode event = JSON.readTree(exchange.getRequestBody().readAllBytes());
            DEAD_ANSWERS.merge(event.get("data").get("id").asText(), 1, Integer::sum);
            exchange.sendResponseHeaders(DEAD_STATUS.get(), -1);
        }
    }

    /** fal.ai's queue API, done at once: submit, COMPLETED, then a 200 MiB video streamed from a repeated block. */
    private static void fakeFal(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
            String base = "http://127.0.0.1:" + outside.getAddress().getPort() + "/fal";
            String path = exchange.getRequestURI().getPath();
            if (path.endsWith("/video.mp4")) {
                exchange.getResponseHeaders().set("Content-Type", "video/mp4");
                exchange.sendResponseHeaders(200, LARGE);
                writeLarge(exchange.getResponseBody());
                return;
            }
            String answer;
            if (path.equals("/fal/fake/text-to-video") && exchange.getRequestMethod().equals("POST")) {
                answer = "{\"request_id\": \"r1\", \"status_url\": \"" + base + "/requests/r1/status\", "
                        + "\"response_url\": \"" + base + "/requests/r1\", \"cancel_url\": \"" + base
                        + "/requests/r1/cancel\"}";
            } else if (path.equals("/fal/requests/r1/status")) {
                answer = "{\"status\": \"COMPLETED\"}";
            } else if (path.equals("/fal/requests/r1")) {
                answer = "{\"video\": {\"url\": \"" + base + "/files/video.mp4\"}}";
            } else {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    /** The large artifact: an ftyp box, then {@link #BLOCK} repeated up to {@link #LARGE} bytes. */
    private static void writeLarge(OutputStream out) throws IOException {
        out.write(FTYP);
        long left = LARGE - FTYP.length;
        while (left > 0) {
            int n = (int) Math.min(BLOCK.length, left);
            out.write(BLOCK, 0, n);
            left -= n;
        }
    }

    private static String sha256OfLarge() throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (OutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), digest)) {
            writeLarge(out);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    // ---- the node and the emulator -----------------------------------------------------------------------------

    private static String submit(String body) throws IOException {
        HttpResponse<String> r = call("POST", "/v1/jobs", KEY, body);
        assertEquals(202, r.statusCode(), r.body());
        return JSON.readTree(r.body()).get("id").asText();
    }

    private static JsonNode awaitFinished(String id, Duration timeout) throws InterruptedException {
        JsonNode[] job = new JsonNode[1];
        Processes.await("job " + id + " to finish", timeout, () -> {
            job[0] = dist.job(id);
            String status = job[0].get("status").asText();
            if (status.equals("failed") || status.equals("canceled")) {
                throw new AssertionError("job " + status + ": " + job[0]);
            }
            return status.equals("finished");
        });
        return job[0];
    }

    private static JsonNode findEntry(String entry) {
        try {
            HttpResponse<String> r = call("GET", "/v1/admin/callbacks/dead-letters?limit=1000", KEY, null);
            assertEquals(200, r.statusCode(), r.body());
            for (JsonNode e : JSON.readTree(r.body()).get("dead_letters")) {
                if (e.get("id").asText().equals(entry)) {
                    return e;
                }
            }
            return null;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse<String> call(String method, String path, String key, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(dist.uri(path)).method(method,
                json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        if (key != null) {
            b.header("X-API-Key", key);
        }
        return dist.send(b.build());
    }

    private static String objectName(JsonNode job) {
        return job.get("gcs_uri").asText().substring(("gs://" + Distribution.BUCKET + "/").length());
    }

    /** The object resource as the emulator's JSON API gives it (read directly, not through the proxy). */
    private static JsonNode objectResource(String name) throws IOException {
        HttpResponse<String> r = dist.send(HttpRequest.newBuilder(emulatorObject(name, "")).GET().build());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private static byte[] objectBytes(String name) throws Exception {
        HttpResponse<byte[]> r = dist.http.send(HttpRequest.newBuilder(emulatorObject(name, "?alt=media")).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        return r.body();
    }

    private static URI emulatorObject(String name, String query) {
        return URI.create("http://127.0.0.1:" + dist.gcsPort + "/storage/v1/b/" + Distribution.BUCKET + "/o/"
                + URLEncoder.encode(name, StandardCharsets.UTF_8) + query);
    }

    private record Download(JsonNode link, long size, String sha256) {
    }

    /** Fetches the job's signed URL and hashes what it serves, streamed. */
    private static Download downloadArtifact(String id) throws Exception {
        HttpResponse<String> artifact = call("GET", "/v1/jobs/" + id + "/artifact", KEY, null);
        assertEquals(200, artifact.statusCode(), artifact.body());
        JsonNode link = JSON.readTree(artifact.body());
        HttpResponse<InputStream> r = dist.http.send(HttpRequest.newBuilder(URI.create(link.get("url").asText()))
                .GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        long size;
        try (InputStream in = r.body(); OutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(),
                digest)) {
            size = in.transferTo(out);
        }
        return new Download(link, size, HexFormat.of().formatHex(digest.digest()));
    }

    /** The sum of a metric's samples whose labels contain {@code labels}. */
    private static double metric(String exposition, String name, String labels) {
        return exposition.lines()
                .filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .filter(l -> l.contains(labels))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
