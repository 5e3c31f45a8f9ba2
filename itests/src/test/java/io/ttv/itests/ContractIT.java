package io.ttv.itests;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP contract of docs/api.md against the assembled distribution: node A (API and worker, API keys on, no rate
 * limit) and two API-only nodes B and C without keys, sharing A's Redis, with a small rate limit (60/min, burst 10)
 * that the two of them must enforce together.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContractIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "it-key-1";
    private static final Set<String> ERROR_FIELDS = Set.of("error", "message", "details", "timestamp", "request_id",
            "retryable");
    private static Distribution a;
    private static Distribution b;
    private static Distribution c;

    @BeforeAll
    static void start() throws Exception {
        // Callback URLs are held to the production rules here (https, public addresses only).
        a = new Distribution(Map.of("TTV_API_KEYS", KEY + ",it-key-2", "TTV_RATE_LIMIT", "0",
                "TTV_WORKER_CONCURRENCY", "1", "TTV_CALLBACK_ALLOW_PRIVATE", "false", "TTV_CALLBACK_ALLOW_HTTP", "false"));
        Map<String, String> limited = Map.of("TTV_ROLE", "api", "TTV_RATE_LIMIT", "60", "TTV_RATE_LIMIT_BURST", "10",
                "TTV_TRUSTED_PROXIES", "127.0.0.1", "TTV_CORS_ORIGINS", "https://app.example");
        b = new Distribution(a, limited);
        c = new Distribution(a, limited);
    }

    @AfterAll
    static void stop() throws Exception {
        for (Distribution d : new Distribution[]{c, b, a}) {
            if (d != null) {
                d.close();
            }
        }
    }

    @Test
    void everyEndpointAnswersInTheShapeOfTheSpec() throws Exception {
        HttpResponse<String> created = call(a, "POST", "/v1/jobs", "{\"prompt\":\"contract  row\",\"metadata\":{\"k\":1}}",
                Map.of());
        assertEquals(202, created.statusCode(), created.body());
        JsonNode accepted = JSON.readTree(created.body());
        String id = accepted.get("id").asText();
        assertEquals("queued", accepted.get("status").asText());
        assertTrue(accepted.get("created_at").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));
        assertEquals("/v1/jobs/" + id, created.headers().firstValue("Location").orElseThrow());

        JsonNode job = JSON.readTree(call(a, "GET", "/v1/jobs/" + id, null, Map.of()).body());
        for (String field : List.of("id", "status", "progress", "created_at", "started_at", "finished_at", "gcs_uri",
                "error", "retryable", "generator", "attempts", "metadata")) {
            assertTrue(job.has(field), "job object lacks " + field);
        }
        assertEquals(1, job.at("/metadata/k").asInt());
        assertEquals("contract row", job.get("prompt").asText());

        JsonNode page = JSON.readTree(call(a, "GET", "/v1/jobs?limit=1", null, Map.of()).body());
        assertEquals(1, page.get("jobs").size());
        assertTrue(page.has("next_cursor"));
        assertTrue(JSON.readTree(call(a, "GET", "/v1/jobs/" + id + "/logs?tail=5", null, Map.of()).body())
                .get("lines").isArray());

        String toCancel = JSON.readTree(call(a, "POST", "/v1/jobs", "{\"prompt\":\"cancel me\",\"duration_seconds\":60}",
                Map.of()).body()).get("id").asText();
        HttpResponse<String> canceled = call(a, "POST", "/v1/jobs/" + toCancel + "/cancel", null, Map.of());
        // A 60 s render cannot have ended yet: the cancel always applies.
        assertEquals(200, canceled.statusCode(), canceled.body());
        assertEquals("canceled", JSON.readTree(canceled.body()).get("status").asText());
        assertNotNull(JSON.readTree(canceled.body()).get("finished_at").textValue());
        HttpResponse<String> again = call(a, "POST", "/v1/jobs/" + toCancel + "/cancel", null, Map.of());
        assertError(again, 409, "JobAlreadyTerminal");
        HttpResponse<String> notReady = call(a, "GET", "/v1/jobs/" + toCancel + "/artifact", null, Map.of());
        assertError(notReady, 404, "ArtifactNotReady");
        assertEquals("canceled", JSON.readTree(notReady.body()).at("/details/current_status").asText());

        JsonNode health = JSON.readTree(a.get("/healthz").body());
        assertEquals("healthy", health.get("status").asText());
        assertEquals("healthy", health.at("/components/api").asText());
        JsonNode ready = JSON.readTree(a.get("/readyz").body());
        assertEquals("ready", ready.get("status").asText());
        for (String component : List.of("redis", "gcs", "workers", "api")) {
            assertEquals("healthy", ready.at("/components/" + component).asText(), component);
        }
        HttpResponse<String> metrics = a.get("/metrics");
        assertTrue(metrics.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain; version=0.0.4"));
        assertTrue(metrics.body().contains("http_requests_total{method=\"POST\",path=\"/v1/jobs\",status=\"202\"}"),
                "HTTP metrics are labelled by route template");
        assertFalse(metrics.body().contains(id), "no raw job id in a metric label");
        JsonNode root = JSON.readTree(a.get("/").body());
        assertEquals("TTV Pipeline API", root.get("name").asText());
        assertEquals("/openapi.json", root.get("docs_url").asText());
    }

    @Test
    void everyErrorHasTheOneErrorBody() throws Exception {
        assertError(call(a, "GET", "/v1/jobs/00000000-0000-4000-8000-000000000000", null, Map.of()), 404,
                "JobNotFound");
        assertError(a.get("/no/such/path"), 404, "NotFound");
        HttpResponse<String> wrongMethod = call(a, "DELETE", "/v1/jobs", null, Map.of());
        assertError(wrongMethod, 405, "MethodNotAllowed");
        assertEquals("GET, POST", wrongMethod.headers().firstValue("Allow").orElseThrow());
        assertError(call(a, "POST", "/v1/jobs", "{\"prompt\":\"x\",\"colour\":\"red\"}", Map.of()), 400,
                "ValidationError");
        assertError(call(a, "POST", "/v1/jobs", "{\"prompt\":", Map.of()), 400, "ValidationError");
        assertError(a.send(withKey(HttpRequest.newBuilder(a.uri("/v1/jobs")).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"x\"}"))).build()), 415, "UnsupportedMediaType");
        assertError(call(a, "POST", "/v1/jobs", "{\"prompt\":\"" + "x".repeat(1024 * 1024 + 1) + "\"}", Map.of()), 413,
                "PayloadTooLarge");
        HttpResponse<String> unauthorized = a.send(HttpRequest.newBuilder(a.uri("/v1/jobs")).GET().build());
        assertError(unauthorized, 401, "Unauthorized");
        assertTrue(unauthorized.headers().firstValue("WWW-Authenticate").orElseThrow().startsWith("Bearer"));
    }

    @Test
    void authAcceptsBearerAndApiKeyHeadersAndIsOffWithoutKeys() throws Exception {
        assertEquals(200, a.send(HttpRequest.newBuilder(a.uri("/v1/jobs?limit=1"))
                .header("Authorization", "Bearer " + KEY).build()).statusCode());
        assertEquals(200, a.send(HttpRequest.newBuilder(a.uri("/jobs?limit=1"))
                .header("X-API-Key", "it-key-2").build()).statusCode());
        assertError(a.send(HttpRequest.newBuilder(a.uri("/v1/jobs?limit=1"))
                .header("Authorization", "Bearer it-key-3").build()), 401, "Unauthorized");
        assertError(a.send(HttpRequest.newBuilder(a.uri("/jobs")).build()), 401, "Unauthorized");
        assertEquals(200, a.get("/healthz").statusCode(), "health stays open");
        assertEquals(200, a.get("/openapi.json").statusCode(), "the API description stays open");
        assertEquals(200, b.send(HttpRequest.newBuilder(b.uri("/v1/jobs?limit=1"))
                .header("X-Forwarded-For", "10.9.0.1").build()).statusCode(), "no keys configured: auth is off");
        assertFalse(a.karafLog().contains(KEY), "an API key never reaches the log");
    }

    @Test
    void corsAllowsOnlyConfiguredOriginsAndEveryAnswerCarriesTheSecurityHeaders() throws Exception {
        HttpResponse<String> preflight = b.send(HttpRequest.newBuilder(b.uri("/v1/jobs"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "https://app.example")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "Content-Type, Idempotency-Key")
                .header("X-Forwarded-For", "203.0.113.90").build());
        assertTrue(preflight.statusCode() < 300, "preflight answered " + preflight.statusCode());
        assertEquals("https://app.example",
                preflight.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
        HttpResponse<String> foreign = b.send(HttpRequest.newBuilder(b.uri("/v1/jobs?limit=1"))
                .header("Origin", "https://evil.example").header("X-Forwarded-For", "203.0.113.91").build());
        assertFalse(foreign.headers().firstValue("Access-Control-Allow-Origin").isPresent());
        assertFalse(a.send(HttpRequest.newBuilder(a.uri("/healthz")).header("Origin", "https://app.example").build())
                .headers().firstValue("Access-Control-Allow-Origin").isPresent(), "no CORS where none is configured");
        for (HttpResponse<String> r : List.of(a.get("/healthz"), a.get("/nowhere"), foreign,
                call(a, "POST", "/v1/jobs", "{\"prompt\":\"" + "x".repeat(1024 * 1024 + 1) + "\"}", Map.of()))) {
            assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(null), r.uri().toString());
            assertEquals("DENY", r.headers().firstValue("X-Frame-Options").orElse(null));
            assertEquals("strict-origin-when-cross-origin", r.headers().firstValue("Referrer-Policy").orElse(null));
            assertEquals(r.headers().firstValue("X-Request-ID").orElseThrow(),
                    r.headers().firstValue("X-Correlation-ID").orElseThrow());
        }
        HttpResponse<String> kept = a.send(HttpRequest.newBuilder(a.uri("/healthz"))
                .header("X-Request-ID", "client.trace-1").build());
        assertEquals("client.trace-1", kept.headers().firstValue("X-Request-ID").orElseThrow());
        HttpResponse<String> replaced = a.send(HttpRequest.newBuilder(a.uri("/healthz"))
                .header("X-Request-ID", "bad id <x>").build());
        assertFalse(replaced.headers().firstValue("X-Request-ID").orElseThrow().contains("<"));
    }

    @Test
    void unversionedAliasesKeepTheOldShapesWithAndWithoutTrailingSlash() throws Exception {
        HttpResponse<String> created = call(a, "POST", "/jobs/", "{\"prompt\":\"old client\"}", Map.of());
        assertEquals(202, created.statusCode(), created.body());
        String id = JSON.readTree(created.body()).get("id").asText();
        assertEquals("/jobs/" + id, created.headers().firstValue("Location").orElseThrow());
        for (String path : List.of("/jobs/" + id, "/jobs/" + id + "/")) {
            HttpResponse<String> r = call(a, "GET", path, null, Map.of());
            assertEquals(200, r.statusCode(), path);
            assertEquals(id, JSON.readTree(r.body()).get("id").asText());
        }
        for (String path : List.of("/jobs?limit=5", "/jobs/?limit=5&offset=0")) {
            HttpResponse<String> r = call(a, "GET", path, null, Map.of());
            assertEquals(200, r.statusCode(), path);
            assertTrue(JSON.readTree(r.body()).isArray(), path + " answers a bare array");
            assertFalse(r.headers().firstValue("Location").isPresent(), "never a redirect");
        }
        JsonNode finished = awaitStatus(id, "finished");
        assertEquals("finished", finished.get("status").asText());
        for (String path : List.of("/jobs/" + id + "/video-url", "/jobs/" + id + "/video-url/")) {
            HttpResponse<String> r = call(a, "GET", path + "?expiration_seconds=120", null, Map.of());
            assertEquals(200, r.statusCode(), r.body());
            JsonNode link = JSON.readTree(r.body());
            assertEquals("video/mp4", link.get("mime_type").asText());
            assertEquals(120, link.get("expiration_seconds").asInt());
            assertTrue(link.get("video_url").asText().startsWith("http"));
            assertTrue(link.has("expires_at"));
        }
        assertError(call(a, "GET", "/jobs/" + id + "/video-url?expiration_seconds=59", null, Map.of()), 400,
                "ValidationError");
    }

    @Test
    void idempotentSubmitUnderConcurrencyCreatesExactlyOneJob() throws Exception {
        long before = jobCount();
        String body = "{\"prompt\":\"exactly once\",\"seed\":11}";
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            calls.add(a.http.sendAsync(withKey(HttpRequest.newBuilder(a.uri("/v1/jobs"))
                            .header("Content-Type", "application/json").header("Idempotency-Key", "it-order-7")
                            .POST(HttpRequest.BodyPublishers.ofString(body))).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        Set<String> ids = new HashSet<>();
        int replays = 0;
        for (CompletableFuture<HttpResponse<String>> call : calls) {
            HttpResponse<String> r = call.get(60, TimeUnit.SECONDS);
            assertEquals(202, r.statusCode(), r.body());
            ids.add(JSON.readTree(r.body()).get("id").asText());
            replays += "true".equals(r.headers().firstValue("Idempotent-Replayed").orElse(null)) ? 1 : 0;
        }
        assertEquals(1, ids.size());
        assertEquals(19, replays);
        assertEquals(before + 1, jobCount());
        assertError(call(a, "POST", "/v1/jobs", "{\"prompt\":\"another body\"}", Map.of("Idempotency-Key",
                "it-order-7")), 422, "IdempotencyKeyReused");
    }

    @Test
    void longPollReturnsEarlyOnChangeAndEtagGives304() throws Exception {
        String id = JSON.readTree(call(a, "POST", "/v1/jobs", "{\"prompt\":\"watch\",\"duration_seconds\":60}",
                Map.of()).body()).get("id").asText();
        HttpResponse<String> first = call(a, "GET", "/v1/jobs/" + id, null, Map.of());
        String etag = first.headers().firstValue("ETag").orElseThrow();
        JsonNode seen = JSON.readTree(first.body());
        HttpResponse<String> same = call(a, "GET", "/v1/jobs/" + id, null, Map.of("If-None-Match", etag));
        if (same.statusCode() == 304) {
            assertTrue(same.body().isEmpty());
        } else {
            // The worker changed the job between the two reads; the new state has a new tag.
            assertFalse(etag.equals(same.headers().firstValue("ETag").orElseThrow()));
        }
        CompletableFuture<HttpResponse<String>> poll = a.http.sendAsync(withKey(HttpRequest.newBuilder(
                a.uri("/v1/jobs/" + id + "?wait=30")).header("If-None-Match", etag)).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> changed;
        long tookMs;
        try {
            // The worker may start the job at any moment: an answer now must show that change.
            changed = poll.get(1, TimeUnit.SECONDS);
            tookMs = 0;
        } catch (TimeoutException stillWaiting) {
            long canceledAt = System.nanoTime();
            call(a, "POST", "/v1/jobs/" + id + "/cancel", null, Map.of());
            changed = poll.get(30, TimeUnit.SECONDS);
            tookMs = (System.nanoTime() - canceledAt) / 1_000_000;
        }
        assertEquals(200, changed.statusCode());
        JsonNode now = JSON.readTree(changed.body());
        assertTrue(!now.get("status").equals(seen.get("status")) || !now.get("progress").equals(seen.get("progress")),
                "the long-poll answers a changed job");
        assertTrue(tookMs < 5_000, "answered " + tookMs + " ms after the change, not at the end of the wait");
    }

    @Test
    @Order(Integer.MAX_VALUE) // its 250 queued jobs would otherwise delay the jobs other tests wait for
    void cursorPagingVisitsEveryJobOnce() throws Exception {
        Set<String> created = new LinkedHashSet<>();
        for (int i = 0; i < 250; i++) {
            HttpResponse<String> r = call(a, "POST", "/v1/jobs", "{\"prompt\":\"page " + i + "\",\"duration_seconds\":1}",
                    Map.of());
            assertEquals(202, r.statusCode(), r.body());
            created.add(JSON.readTree(r.body()).get("id").asText());
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = JSON.readTree(call(a, "GET", "/v1/jobs?limit=37" + (cursor == null ? "" : "&cursor="
                    + cursor), null, Map.of()).body());
            page.get("jobs").forEach(j -> seen.add(j.get("id").asText()));
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
        } while (cursor != null);
        assertEquals(seen.size(), new HashSet<>(seen).size(), "no job twice");
        assertTrue(seen.containsAll(created), "every job once");
        List<String> ours = seen.stream().filter(created::contains).toList();
        List<String> newestFirst = new ArrayList<>(created);
        java.util.Collections.reverse(newestFirst);
        assertEquals(newestFirst, ours, "newest first");
    }

    @Test
    void twoApiNodesShareOneRateLimit() throws Exception {
        String client = "203.0.113.77";
        int allowed = 0;
        int refusedOnB = 0;
        int refusedOnC = 0;
        long start = System.nanoTime();
        for (int i = 0; i < 30; i++) {
            Distribution node = i % 2 == 0 ? b : c;
            HttpResponse<String> r = node.send(HttpRequest.newBuilder(node.uri("/v1/jobs?limit=1"))
                    .header("X-Forwarded-For", "198.51.100.1, " + client).build());
            if (r.statusCode() == 200) {
                allowed++;
                assertTrue(r.headers().firstValue("RateLimit-Remaining").isPresent());
                assertTrue(r.headers().firstValue("X-RateLimit-Limit").isPresent());
            } else {
                assertError(r, 429, "RateLimitExceeded");
                assertTrue(Integer.parseInt(r.headers().firstValue("Retry-After").orElseThrow()) >= 1);
                refusedOnB += node == b ? 1 : 0;
                refusedOnC += node == c ? 1 : 0;
            }
        }
        long elapsedSeconds = (System.nanoTime() - start) / 1_000_000_000L;
        assertTrue(allowed <= 10 + elapsedSeconds + 1, allowed + " allowed in " + elapsedSeconds
                + " s; one shared budget allows 10 at once + 1/s");
        assertTrue(refusedOnB > 0 && refusedOnC > 0, "both nodes enforce the shared budget");
        assertEquals(200, b.get("/healthz").statusCode(), "health is exempt");
        HttpResponse<String> otherClient = b.send(HttpRequest.newBuilder(b.uri("/v1/jobs?limit=1"))
                .header("X-Forwarded-For", "203.0.113.78").build());
        assertEquals(200, otherClient.statusCode(), "budgets are per client");
    }

    @Test
    void aJobCreationTakesItsTokenWithTheJobAndARefusedOneStoresNothing() throws Exception {
        Map<String, String> client = Map.of("X-Forwarded-For", "203.0.113.91");
        long before = jobCount();
        int accepted = 0;
        HttpResponse<String> refused = null;
        for (int i = 0; i < 30 && refused == null; i++) {
            HttpResponse<String> r = call(b, "POST", "/v1/jobs", "{\"prompt\":\"a limited fox " + i + "\"}", client);
            if (r.statusCode() == 202) {
                accepted++;
                assertEquals("10", r.headers().firstValue("RateLimit-Limit").orElseThrow(), r.headers().toString());
                assertTrue(r.headers().firstValue("X-RateLimit-Remaining").isPresent());
                assertTrue(r.headers().firstValue("RateLimit-Reset").isPresent());
            } else {
                refused = r;
            }
        }
        assertNotNull(refused, "the burst of 10 ran out");
        assertError(refused, 429, "RateLimitExceeded");
        assertTrue(JSON.readTree(refused.body()).get("retryable").asBoolean());
        assertTrue(Integer.parseInt(refused.headers().firstValue("Retry-After").orElseThrow()) >= 1);
        assertEquals("0", refused.headers().firstValue("RateLimit-Remaining").orElseThrow());
        assertTrue(accepted >= 10 && accepted <= 12, accepted + " accepted");
        assertEquals(before + accepted, jobCount(), "one stored job per 202, none for the 429");
        // Validation comes first and takes no token: a bad body is told what is wrong, not to wait.
        assertError(call(b, "POST", "/v1/jobs", "{\"prompt\":\"\"}", client), 400, "ValidationError");
        // The same client's other requests draw from the same bucket at the front door (at most one token refilled).
        int refusedReads = 0;
        for (int i = 0; i < 3; i++) {
            refusedReads += c.send(HttpRequest.newBuilder(c.uri("/v1/jobs?limit=1"))
                    .header("X-Forwarded-For", "203.0.113.91").build()).statusCode() == 429 ? 1 : 0;
        }
        assertTrue(refusedReads >= 2, refusedReads + " of 3 reads refused");
    }

    @Test
    void realAnswersMatchTheOpenApiDocument() throws Exception {
        OpenApiInteractionValidator validator = OpenApiInteractionValidator
                .createForInlineApiSpecification(a.get("/openapi.json").body()).build();
        String id = JSON.readTree(call(a, "POST", "/v1/jobs", "{\"prompt\":\"described\"}", Map.of()).body())
                .get("id").asText();
        List<String[]> interactions = List.of(
                new String[]{"POST", "/v1/jobs", "{\"prompt\":\"described too\",\"aspect_ratio\":\"1:1\"}"},
                new String[]{"POST", "/v1/jobs", "{\"prompt\":7}"},
                new String[]{"GET", "/v1/jobs/" + id, null},
                new String[]{"GET", "/v1/jobs/00000000-0000-4000-8000-000000000000", null},
                new String[]{"GET", "/v1/jobs?limit=3", null},
                new String[]{"GET", "/v1/jobs?limit=0", null},
                new String[]{"GET", "/v1/jobs/" + id + "/logs", null},
                new String[]{"GET", "/v1/jobs/" + id + "/artifact", null},
                new String[]{"GET", "/jobs?limit=2", null},
                new String[]{"GET", "/jobs/" + id, null},
                new String[]{"GET", "/jobs/" + id + "/video-url", null},
                new String[]{"GET", "/healthz", null},
                new String[]{"GET", "/readyz", null},
                new String[]{"GET", "/", null});
        for (String[] i : interactions) {
            HttpResponse<String> r = call(a, i[0], i[1], i[2], Map.of());
            int q = i[1].indexOf('?');
            SimpleRequest.Builder req = new SimpleRequest.Builder(Request.Method.valueOf(i[0]),
                    q < 0 ? i[1] : i[1].substring(0, q));
            if (q >= 0) {
                for (String pair : i[1].substring(q + 1).split("&")) {
                    String[] kv = pair.split("=", 2);
                    req.withQueryParam(kv[0], kv[1]);
                }
            }
            if (i[2] != null) {
                req.withContentType("application/json").withBody(i[2]);
            }
            req.withHeader("Authorization", "Bearer " + KEY);
            SimpleResponse.Builder res = SimpleResponse.Builder.status(r.statusCode())
                    .withContentType(r.headers().firstValue("Content-Type").orElse("application/json"))
                    .withBody(r.body());
            ValidationReport report = validator.validate(req.build(), res.build());
            List<String> problems = report.getMessages().stream()
                    // A request the API rightly refuses is expected to break the schema.
                    .filter(m -> !m.getKey().startsWith("validation.request"))
                    .map(m -> m.getKey() + ": " + m.getMessage()).toList();
            assertTrue(problems.isEmpty(), i[0] + " " + i[1] + " → " + r.statusCode() + ": " + problems);
        }
    }

    @Test
    void badInputCorpusNeverGetsA5xxOrCreatesAJob() throws Exception {
        long before = jobCount();
        List<BadRequest> corpus = BadInputCorpus.requests();
        assertTrue(corpus.size() >= 150, "corpus has " + corpus.size() + " requests");
        List<String> failures = new ArrayList<>();
        for (BadRequest bad : corpus) {
            HttpRequest.Builder builder = HttpRequest.newBuilder(a.uri(bad.path()))
                    .method(bad.method(), bad.body() == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(bad.body()))
                    .timeout(Duration.ofSeconds(30));
            if (bad.contentType() != null) {
                builder.header("Content-Type", bad.contentType());
            }
            bad.headers().forEach(builder::header);
            if (!bad.headers().containsKey("Authorization") && !bad.headers().containsKey("X-API-Key")) {
                builder.header("Authorization", "Bearer " + KEY);
            }
            HttpResponse<String> r = a.send(builder.build());
            String problem = null;
            if (r.statusCode() < 400 || r.statusCode() >= 500) {
                problem = "status " + r.statusCode();
            } else if (!r.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) {
                problem = "content type " + r.headers().firstValue("Content-Type").orElse("none");
            } else {
                JsonNode error = JSON.readTree(r.body());
                if (!ERROR_FIELDS.stream().allMatch(error::has)) {
                    problem = "body " + r.body();
                }
            }
            if (problem != null) {
                failures.add(bad.name() + ": " + problem);
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + corpus.size() + " answered wrongly: " + failures);
        assertEquals(before, jobCount(), "a rejected request never creates a job");
        assertEquals(200, a.get("/healthz").statusCode());
    }

    private static JsonNode awaitStatus(String id, String status) throws Exception {
        JsonNode[] last = new JsonNode[1];
        Processes.await("job " + id + " " + status, Duration.ofSeconds(120), () -> {
            last[0] = a.job(id);
            return status.equals(last[0].get("status").asText());
        });
        return last[0];
    }

    private static long jobCount() {
        try (Jedis jedis = new Jedis("127.0.0.1", a.redisPort)) {
            return jedis.zcard("rq:jobs");
        }
    }

    private static HttpRequest.Builder withKey(HttpRequest.Builder builder) {
        return builder.header("Authorization", "Bearer " + KEY);
    }

    /** A request to node {@code d} with the API key; a body is sent as JSON. */
    static HttpResponse<String> call(Distribution d, String method, String path, String body,
                                     Map<String, String> headers) {
        HttpRequest.Builder builder = withKey(HttpRequest.newBuilder(d.uri(path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)));
        if (body != null) {
            builder.header("Content-Type", "application/json");
        }
        headers.forEach(builder::header);
        return d.send(builder.build());
    }

    private static void assertError(HttpResponse<String> r, int status, String code) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode body = JSON.readTree(r.body());
        assertTrue(ERROR_FIELDS.stream().allMatch(body::has), r.body());
        assertEquals(code, body.get("error").asText());
        assertEquals(r.headers().firstValue("X-Request-ID").orElseThrow(), body.get("request_id").asText());
    }
}
