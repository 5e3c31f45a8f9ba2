package io.ttv.pipeline.intake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ttv.pipeline.core.app.NodeAssembly;
import io.ttv.pipeline.core.app.RedisClients;
import io.ttv.pipeline.testing.TestRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import io.ttv.pipeline.core.config.PipelineConfig;
import io.ttv.pipeline.core.domain.JobStatus;
import io.ttv.pipeline.core.redis.JobStore;
import io.ttv.pipeline.core.redis.RedisKeys;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The intake flow over real HTTP (platform-http on Vert.x) against a real Redis server: a node assembled as in
 * Karaf ({@link NodeAssembly}, role api) with the intake flow added.
 */
class IntakeRoutesTest {
    @RegisterExtension
    static final TestRedis REDIS = TestRedis.perClass();
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private int httpPort;
    private RedisClients redis;
    private NodeAssembly node;

    @BeforeEach
    void startNode() throws Exception {
        httpPort = freePort();
        redis = REDIS.clients();
        node = NodeAssembly.create(PipelineConfig.resolve(Map.of(), Map.of(
                "TTV_REDIS_URL", REDIS.url(),
                "TTV_HTTP_PORT", Integer.toString(httpPort),
                "TTV_HTTP_HOST", "127.0.0.1",
                "TTV_ROLE", "api",
                "TTV_GCS_ENDPOINT", "http://127.0.0.1:1")), "test", "test");
        node.flows().add(new IntakeFlow(), "test", node.node());
        node.camel().start();
    }

    @AfterEach
    void stopNode() {
        node.close();
    }

    @Test
    void acceptedJobIsStoredIndexedAndQueued() throws Exception {
        HttpResponse<String> r = post("{\"prompt\":\"a  red fox\",\"seed\":7}", "application/json; charset=utf-8",
                Map.of("X-Request-ID", "client-req.1", "X-Secret-Inbound", "should-not-echo"));
        assertEquals(202, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        String id = body.get("id").asText();
        assertTrue(id.matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"), id);
        assertEquals("/v1/jobs/" + id, r.headers().firstValue("Location").orElseThrow());
        assertEquals("client-req.1", r.headers().firstValue("X-Request-ID").orElseThrow());
        assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElseThrow());
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElseThrow());
        assertFalse(r.headers().firstValue("X-Secret-Inbound").isPresent(), "inbound headers must not be echoed");

        Map<Object, Object> hash = redis.template().opsForHash().entries(RedisKeys.STANDARD.job(id));
        assertEquals("queued", hash.get("status"));
        assertEquals("a red fox", hash.get("prompt"));
        assertEquals("7", hash.get("seed"));
        assertTrue(redis.template().opsForList().range(RedisKeys.STANDARD.queue(), 0, -1).contains(id));
        assertTrue(redis.template().opsForZSet().score(RedisKeys.STANDARD.jobsIndex(), id) != null);

        JsonNode job = JSON.readTree(get("/v1/jobs/" + id).body());
        assertEquals("queued", job.get("status").asText());
        assertTrue(job.has("finished_at") && job.get("finished_at").isNull(), "absent values are null, never missing");

        JsonNode logs = JSON.readTree(get("/v1/jobs/" + id + "/logs").body());
        assertEquals(0, logs.get("lines").size());
        new JobStore(redis.template(), redis.keys()).log(id, "first");
        new JobStore(redis.template(), redis.keys()).log(id, "second");
        JsonNode last = JSON.readTree(get("/v1/jobs/" + id + "/logs?tail=1").body());
        assertEquals(1, last.get("lines").size());
        assertTrue(last.get("lines").get(0).asText().endsWith("] second"));
        for (String bad : new String[] {"-1", "abc", "10001", "1.5"}) {
            assertEquals(400, get("/v1/jobs/" + id + "/logs?tail=" + bad).statusCode(), bad);
        }
        assertEquals(404, get("/v1/jobs/00000000-0000-4000-8000-000000000000/logs").statusCode());

        HttpResponse<String> artifact = get("/v1/jobs/" + id + "/artifact");
        assertEquals(404, artifact.statusCode());
        JsonNode notReady = JSON.readTree(artifact.body());
        assertEquals("ArtifactNotReady", notReady.get("error").asText());
        assertEquals("queued", notReady.get("details").get("current_status").asText());
    }

    @Test
    void cancelOfAQueuedJobAnswersTheCanceledJobThenConflicts() throws Exception {
        String id = JSON.readTree(post("{\"prompt\":\"fox\"}", "application/json", Map.of()).body()).get("id").asText();
        HttpResponse<String> canceled = postTo("/v1/jobs/" + id + "/cancel");
        assertEquals(200, canceled.statusCode(), canceled.body());
        JsonNode job = JSON.readTree(canceled.body());
        assertEquals("canceled", job.get("status").asText());
        assertFalse(job.get("finished_at").isNull());
        assertFalse(redis.template().opsForList().range(RedisKeys.STANDARD.queue(), 0, -1).contains(id));

        HttpResponse<String> again = postTo("/v1/jobs/" + id + "/cancel");
        assertEquals(409, again.statusCode());
        JsonNode conflict = JSON.readTree(again.body());
        assertEquals("JobAlreadyTerminal", conflict.get("error").asText());
        assertEquals("canceled", conflict.get("details").get("current_status").asText());

        assertEquals(404, postTo("/v1/jobs/00000000-0000-4000-8000-000000000000/cancel").statusCode());
    }

    @Test
    void listingPagesNewestFirstAndValidatesItsQuery() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertEquals(202, post("{\"prompt\":\"list " + i + "\"}", "application/json", Map.of()).statusCode());
        }
        JsonNode first = JSON.readTree(get("/v1/jobs?limit=2").body());
        assertEquals(2, first.get("jobs").size());
        assertTrue(first.get("jobs").get(0).get("created_at").asText()
                .compareTo(first.get("jobs").get(1).get("created_at").asText()) >= 0, "newest first");
        String cursor = first.get("next_cursor").asText();
        JsonNode second = JSON.readTree(get("/v1/jobs?limit=2&cursor=" + cursor).body());
        assertTrue(second.get("jobs").size() >= 1);
        assertFalse(second.get("jobs").get(0).get("id").asText().equals(first.get("jobs").get(1).get("id").asText()));
        JsonNode queued = JSON.readTree(get("/v1/jobs?status=queued&limit=100").body());
        queued.get("jobs").forEach(j -> assertEquals("queued", j.get("status").asText()));
        for (String bad : new String[] {"limit=0", "limit=101", "limit=x", "status=done", "cursor=bm90LWEtY3Vyc29y"}) {
            HttpResponse<String> r = get("/v1/jobs?" + bad);
            assertEquals(400, r.statusCode(), bad);
            assertEquals("ValidationError", JSON.readTree(r.body()).get("error").asText());
        }
    }

    @Test
    void badRequestsGetTheErrorBody() throws Exception {
        Long before = redis.template().opsForZSet().zCard(RedisKeys.STANDARD.jobsIndex());
        HttpResponse<String> malformed = post("{\"prompt\":", "application/json", Map.of());
        assertEquals(400, malformed.statusCode());
        assertEquals("ValidationError", JSON.readTree(malformed.body()).get("error").asText());

        HttpResponse<String> text = post("prompt=fox", "text/plain", Map.of());
        assertEquals(415, text.statusCode());
        assertEquals("UnsupportedMediaType", JSON.readTree(text.body()).get("error").asText());

        HttpResponse<String> unknown = get("/v1/jobs/not-a-job-id");
        assertEquals(404, unknown.statusCode());
        JsonNode error = JSON.readTree(unknown.body());
        assertEquals("JobNotFound", error.get("error").asText());
        assertEquals(unknown.headers().firstValue("X-Request-ID").orElseThrow(), error.get("request_id").asText());
        assertFalse(error.get("retryable").asBoolean());

        HttpResponse<String> expiry = get("/v1/jobs/00000000-0000-4000-8000-000000000000/artifact?expires_in=5");
        assertEquals(400, expiry.statusCode());
        assertEquals(before, redis.template().opsForZSet().zCard(RedisKeys.STANDARD.jobsIndex()), "nothing stored");
    }

    @Test
    void unknownPathsAndWrongMethodsGetTheErrorBody() throws Exception {
        HttpResponse<String> missing = get("/v2/nothing/here");
        assertEquals(404, missing.statusCode());
        assertEquals("application/json", missing.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("NotFound", JSON.readTree(missing.body()).get("error").asText());

        HttpResponse<String> delete = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + httpPort + "/v1/jobs/00000000-0000-4000-8000-000000000000"))
                .DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, delete.statusCode());
        assertEquals("MethodNotAllowed", JSON.readTree(delete.body()).get("error").asText());
        assertEquals("GET", delete.headers().firstValue("Allow").orElseThrow());

        HttpResponse<String> putJobs = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + httpPort + "/v1/jobs")).PUT(HttpRequest.BodyPublishers.ofString("{}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, putJobs.statusCode());
        assertTrue(putJobs.headers().firstValue("Allow").orElseThrow().contains("POST"));
        assertEquals(200, get("/healthz").statusCode(), "real routes still win over the fallback");
    }

    @Test
    void redisOutageIsA503WithRetryAfterNotA500() throws Exception {
        REDIS.stop();
        try {
            HttpResponse<String> r = post("{\"prompt\":\"fox\"}", "application/json", Map.of());
            assertEquals(503, r.statusCode(), r.body());
            assertEquals("RedisUnavailable", JSON.readTree(r.body()).get("error").asText());
            assertTrue(r.headers().firstValue("Retry-After").isPresent());
            assertFalse(r.body().contains("Exception"), r.body());
        } finally {
            REDIS.restart();
        }
    }

    @Test
    void unversionedAliasesAnswerWithAndWithoutATrailingSlash() throws Exception {
        HttpResponse<String> created = send("POST", "/jobs/", "{\"prompt\":\"old client\"}", Map.of());
        assertEquals(202, created.statusCode(), created.body());
        String id = JSON.readTree(created.body()).get("id").asText();
        assertEquals("/jobs/" + id, created.headers().firstValue("Location").orElseThrow());
        for (String path : new String[]{"/jobs/" + id, "/jobs/" + id + "/", "/v1/jobs/" + id + "/"}) {
            HttpResponse<String> r = get(path);
            assertEquals(200, r.statusCode(), path + " " + r.body());
            assertEquals(id, JSON.readTree(r.body()).get("id").asText());
        }
        for (String path : new String[]{"/jobs", "/jobs/", "/jobs?limit=1&offset=0"}) {
            HttpResponse<String> r = get(path);
            assertEquals(200, r.statusCode(), path + " " + r.body());
            JsonNode list = JSON.readTree(r.body());
            assertTrue(list.isArray() && list.size() >= 1, path + " must be a bare array");
            assertEquals(id, list.get(0).get("id").asText(), "newest first");
        }
        assertEquals(400, get("/jobs?offset=-1").statusCode());
        HttpResponse<String> notReady = get("/jobs/" + id + "/video-url");
        assertEquals(400, notReady.statusCode(), notReady.body());
        assertEquals("queued", JSON.readTree(notReady.body()).at("/details/current_status").asText());
        assertEquals(400, get("/jobs/" + id + "/video-url?expiration_seconds=86401").statusCode());
    }

    @Test
    void etagAnswers304AndLongPollReturnsAsSoonAsTheJobChanges() throws Exception {
        String id = JSON.readTree(post("{\"prompt\":\"watch me\"}", "application/json", Map.of()).body())
                .get("id").asText();
        HttpResponse<String> first = get("/v1/jobs/" + id);
        String etag = first.headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> unchanged = send("GET", "/v1/jobs/" + id, null, Map.of("If-None-Match", etag));
        assertEquals(304, unchanged.statusCode());
        assertEquals(etag, unchanged.headers().firstValue("ETag").orElseThrow());
        assertEquals(400, get("/v1/jobs/" + id + "?wait=31").statusCode());

        CompletableFuture<HttpResponse<String>> poll = http.sendAsync(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + httpPort + "/v1/jobs/" + id + "?wait=30"))
                .header("If-None-Match", etag).build(), HttpResponse.BodyHandlers.ofString());
        // The poll must be waiting (not answered) while the job is unchanged.
        assertThrows(TimeoutException.class, () -> poll.get(1500, TimeUnit.MILLISECONDS));
        long changedAt = System.nanoTime();
        new JobStore(redis.template(), redis.keys()).transition(id, JobStatus.STARTED, null);
        HttpResponse<String> changed = poll.get(10, TimeUnit.SECONDS);
        long tookMs = (System.nanoTime() - changedAt) / 1_000_000;
        assertEquals(200, changed.statusCode(), changed.body());
        assertEquals("started", JSON.readTree(changed.body()).get("status").asText());
        assertFalse(etag.equals(changed.headers().firstValue("ETag").orElseThrow()));
        assertTrue(tookMs < 5000, "long-poll answered " + tookMs + " ms after the change");
    }

    @Test
    void concurrentIdenticalIdempotentRequestsCreateExactlyOneJob() throws Exception {
        String body = "{\"prompt\":\"only once\",\"seed\":3}";
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            calls.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/v1/jobs"))
                    .header("Content-Type", "application/json").header("Idempotency-Key", "order-42")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        Set<String> ids = new HashSet<>();
        int replayed = 0;
        for (CompletableFuture<HttpResponse<String>> c : calls) {
            HttpResponse<String> r = c.get(30, TimeUnit.SECONDS);
            assertEquals(202, r.statusCode(), r.body());
            ids.add(JSON.readTree(r.body()).get("id").asText());
            replayed += r.headers().firstValue("Idempotent-Replayed").isPresent() ? 1 : 0;
        }
        assertEquals(1, ids.size(), "one job for one key");
        assertEquals(19, replayed);
        assertEquals(1L, redis.template().opsForZSet().zCard(RedisKeys.STANDARD.jobsIndex()));
        assertEquals(1L, redis.template().opsForList().size(RedisKeys.STANDARD.queue()));

        HttpResponse<String> other = send("POST", "/v1/jobs", "{\"prompt\":\"something else\"}",
                Map.of("Idempotency-Key", "order-42"));
        assertEquals(422, other.statusCode(), other.body());
        assertEquals("IdempotencyKeyReused", JSON.readTree(other.body()).get("error").asText());
        assertEquals(400, send("POST", "/v1/jobs", body, Map.of("Idempotency-Key", "x".repeat(256))).statusCode());
    }

    @Test
    void rootAndOpenApiDescribeEveryRestPath() throws Exception {
        JsonNode root = JSON.readTree(get("/").body());
        assertEquals("TTV Pipeline API", root.get("name").asText());
        HttpResponse<String> r = get("/openapi.json");
        assertEquals(200, r.statusCode());
        JsonNode doc = JSON.readTree(r.body());
        assertTrue(doc.get("openapi").asText().startsWith("3."));
        for (String path : new String[]{"/v1/jobs", "/v1/jobs/{id}", "/v1/jobs/{id}/cancel", "/v1/jobs/{id}/logs",
                "/v1/jobs/{id}/artifact", "/jobs", "/jobs/{id}", "/jobs/{id}/video-url", "/healthz", "/readyz",
                "/metrics", "/", "/openapi.json"}) {
            assertTrue(doc.get("paths").has(path), "missing " + path);
        }
        JsonNode create = doc.at("/paths/~1v1~1jobs/post");
        assertEquals("#/components/schemas/CreateJob",
                create.at("/requestBody/content/application~1json/schema/$ref").asText());
        assertTrue(create.at("/responses").has("202") && create.at("/responses").has("415"), create.toString());
        assertTrue(doc.at("/components/schemas/Job/properties").has("finished_at"));
    }

    @Test
    void oversizedBodyIsA413WithTheErrorBody() throws Exception {
        HttpResponse<String> r = send("POST", "/v1/jobs", "{\"prompt\":\"" + "a".repeat(1024 * 1024) + "\"}",
                Map.of());
        assertEquals(413, r.statusCode());
        assertEquals("PayloadTooLarge", JSON.readTree(r.body()).get("error").asText());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(0L, redis.template().opsForZSet().zCard(RedisKeys.STANDARD.jobsIndex()));
    }

    private HttpResponse<String> send(String method, String path, String body, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String body, String contentType, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/v1/jobs"))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> postTo(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
