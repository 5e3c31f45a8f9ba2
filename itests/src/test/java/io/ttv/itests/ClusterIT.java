package io.ttv.itests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisCluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pipeline end to end on a three-master Redis Cluster on loopback ({@code redis-cli --cluster create}),
 * black-box: {@code TTV_REDIS_URL=redis-cluster://…} with the cluster's nodes as seeds. Create, long-poll, list,
 * cancel, idempotency, a retry, a callback dead letter and its replay; every key behind the {@code {ttv}} hash tag.
 */
class ClusterIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ALWAYS_BUSY = "the provider is busy";
    private static Processes.RedisCluster cluster;
    private static Distribution dist;
    private static HttpServer outside;
    /** What the callback receiver answers. */
    private static final AtomicInteger HOOK_STATUS = new AtomicInteger(500);
    /** Callback requests received per job. */
    private static final Map<String, AtomicInteger> HOOK_CALLS = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        outside = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        outside.createContext("/hook", ClusterIT::hook);
        outside.createContext("/fal/", exchange -> {
            try (exchange) {
                byte[] body = "{\"detail\":\"no capacity\"}".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(503, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        outside.start();
        Path work = Files.createDirectories(Path.of(System.getProperty("ttv.work")).toAbsolutePath()
                .resolve("cluster-" + System.currentTimeMillis()));
        cluster = Processes.startRedisCluster(work, 3);
        dist = new Distribution(Map.of(
                "TTV_MAX_ATTEMPTS", "2",
                "TTV_RETRY_BACKOFF_SECONDS", "1",
                "TTV_CALLBACK_RETRY_SCHEDULE", "200ms,200ms",
                "TTV_FAL_API_KEY", "it-fal-key",
                "TTV_FAL_BASE_URL", "http://127.0.0.1:" + outside.getAddress().getPort() + "/fal",
                "TTV_FAL_MODEL", "test-model",
                "TTV_GENERATOR_POLL_INTERVAL_MS", "50"), cluster.url());
    }

    @AfterAll
    static void stop() throws Exception {
        if (dist != null) {
            dist.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (outside != null) {
            outside.stop(0);
        }
    }

    private static void hook(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonNode event = JSON.readTree(exchange.getRequestBody().readAllBytes());
            HOOK_CALLS.computeIfAbsent(event.get("data").get("id").asText(), id -> new AtomicInteger())
                    .incrementAndGet();
            exchange.sendResponseHeaders(HOOK_STATUS.get(), -1);
        }
    }

    @Test
    void aJobIsCreatedIdempotentlyLongPolledToItsEndAndListed() throws Exception {
        String body = "{\"prompt\":\"on a cluster\",\"duration_seconds\":1}";
        HttpResponse<String> created = post("/v1/jobs", body, "cluster-order-1");
        assertEquals(202, created.statusCode(), created.body());
        String id = JSON.readTree(created.body()).get("id").asText();
        HttpResponse<String> replayed = post("/v1/jobs", body, "cluster-order-1");
        assertEquals(202, replayed.statusCode(), replayed.body());
        assertEquals(id, JSON.readTree(replayed.body()).get("id").asText());
        assertEquals("true", replayed.headers().firstValue("Idempotent-Replayed").orElse(null));
        assertEquals(422, post("/v1/jobs", "{\"prompt\":\"another\"}", "cluster-order-1").statusCode());

        // Long-poll: each answer is a change (or the end of the wait); the job ends well within the loop.
        String etag = null;
        JsonNode job = null;
        for (int i = 0; i < 20 && (job == null || !job.get("status").asText().equals("finished")); i++) {
            HttpRequest.Builder poll = HttpRequest.newBuilder(dist.uri("/v1/jobs/" + id + "?wait=30")).GET();
            if (etag != null) {
                poll.header("If-None-Match", etag);
            }
            HttpResponse<String> r = dist.send(poll.build());
            if (r.statusCode() == 200) {
                job = JSON.readTree(r.body());
                etag = r.headers().firstValue("ETag").orElseThrow();
            }
        }
        assertEquals("finished", job.get("status").asText(), job.toString());
        assertTrue(job.get("gcs_uri").asText().endsWith("/" + id + "/final_video.mp4"), job.toString());

        JsonNode listed = JSON.readTree(dist.get("/v1/jobs?limit=100").body()).get("jobs");
        List<String> ids = new ArrayList<>();
        listed.forEach(j -> ids.add(j.get("id").asText()));
        assertTrue(ids.contains(id), ids.toString());
        JsonNode finished = JSON.readTree(dist.get("/v1/jobs?status=finished&limit=100").body()).get("jobs");
        assertTrue(finished.findValuesAsText("id").contains(id));

        try (JedisCluster redis = redis()) {
            assertEquals("finished", redis.hget("{ttv}:rq:job:" + id, "status"));
            assertTrue(redis.zscore("{ttv}:rq:jobs", id) != null, "indexed under the cluster's name");
            assertFalse(redis.exists("rq:job:" + id), "no key outside the hash tag");
        }
    }

    @Test
    void cancelingARunningJobSignalsItsWorkerAndWakesTheLongPoll() throws Exception {
        String id = JSON.readTree(dist.postJson("/v1/jobs", "{\"prompt\":\"cancel me\",\"duration_seconds\":60}")
                .body()).get("id").asText();
        Processes.await("job " + id + " to run", Duration.ofSeconds(60),
                () -> Set.of("started", "progress").contains(dist.job(id).get("status").asText()));
        double signalsBefore = routeExchanges("queue-cancel-signals");
        double eventsBefore = routeExchanges("intake-job-events");
        assertTrue(eventsBefore >= 1, "the start was published on ttv:job-events and received");

        CompletableFuture<HttpResponse<String>> poll = dist.http.sendAsync(HttpRequest.newBuilder(
                dist.uri("/v1/jobs/" + id + "?wait=30")).header("If-None-Match", dist.get("/v1/jobs/" + id)
                .headers().firstValue("ETag").orElseThrow()).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> canceled = dist.send(HttpRequest.newBuilder(dist.uri("/v1/jobs/" + id + "/cancel"))
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(200, canceled.statusCode(), canceled.body());
        assertEquals("canceled", JSON.readTree(canceled.body()).get("status").asText());
        assertEquals(200, poll.get(30, TimeUnit.SECONDS).statusCode(), "the long-poll answered the change");

        // How fast the worker then stops its render is the processing flow's (PipelineIT); here: the signal arrives.
        Processes.await("the cancel signal to reach the worker's subscription", Duration.ofSeconds(10),
                () -> routeExchanges("queue-cancel-signals") > signalsBefore);
        assertTrue(routeExchanges("intake-job-events") > eventsBefore, "the cancel was published and received");
        assertEquals("canceled", dist.job(id).get("status").asText());
    }

    @Test
    void aRetryableFailureIsRetriedOnceThenFails() throws Exception {
        String id = JSON.readTree(dist.postJson("/v1/jobs", "{\"prompt\":\"" + ALWAYS_BUSY
                + "\",\"generator\":\"fal\",\"duration_seconds\":5}").body()).get("id").asText();
        Processes.await("job " + id + " to fail", Duration.ofSeconds(90),
                () -> dist.job(id).get("status").asText().equals("failed"));
        JsonNode job = dist.job(id);
        assertEquals(2, job.get("attempts").asInt(), job.toString());
        List<String> log = logLines(id);
        assertEquals(1, log.stream().filter(l -> l.startsWith("attempt 1 failed")).count(), log.toString());
        assertEquals(2, log.stream().filter(l -> l.startsWith("started on worker")).count(), log.toString());
    }

    @Test
    void aCallbackGivenUpOnIsDeadLetteredAndReplayed() throws Exception {
        HOOK_STATUS.set(500);
        String hook = "http://127.0.0.1:" + outside.getAddress().getPort() + "/hook";
        String id = JSON.readTree(dist.postJson("/v1/jobs", "{\"prompt\":\"dead letter\",\"duration_seconds\":1,"
                + "\"callback_url\":\"" + hook + "\",\"callback_events\":[\"finished\"]}").body()).get("id").asText();
        String entry = id + "_finished";
        Processes.await("dead letter " + entry, Duration.ofSeconds(90), () -> deadLetter(entry) != null);
        assertEquals(3, deadLetter(entry).get("attempts").asInt(), "one attempt and the two retries");
        assertEquals(3, HOOK_CALLS.get(id).get());
        try (JedisCluster redis = redis()) {
            assertTrue(redis.exists("{ttv}:ttv:callback:dead:" + entry));
        }

        HOOK_STATUS.set(204);
        HttpResponse<String> replay = dist.send(HttpRequest.newBuilder(
                dist.uri("/v1/admin/callbacks/dead-letters/" + entry + "/replay"))
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(200, replay.statusCode(), replay.body());
        Processes.await("the replayed callback to be delivered", Duration.ofSeconds(30),
                () -> HOOK_CALLS.get(id).get() == 4);
        assertNull(deadLetter(entry), "a delivered replay leaves the dead letters");
    }

    private static HttpResponse<String> post(String path, String json, String idempotencyKey) {
        return dist.send(HttpRequest.newBuilder(dist.uri(path)).header("Content-Type", "application/json")
                .header("Idempotency-Key", idempotencyKey).POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    private static JsonNode deadLetter(String id) {
        try {
            for (JsonNode e : JSON.readTree(dist.get("/v1/admin/callbacks/dead-letters?limit=1000").body())
                    .get("dead_letters")) {
                if (e.get("id").asText().equals(id)) {
                    return e;
                }
            }
            return null;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> logLines(String id) {
        try {
            List<String> lines = new ArrayList<>();
            JSON.readTree(dist.get("/v1/jobs/" + id + "/logs?tail=100").body()).get("lines")
                    .forEach(l -> lines.add(l.asText().replaceFirst("^\\[[^]]*] ", "")));
            return lines;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Exchanges completed by one route of the node ({@code /metrics}): a subscription's messages received. */
    private static double routeExchanges(String routeId) {
        return dist.get("/metrics").body().lines()
                .filter(l -> l.startsWith("camel_exchanges_total{") && l.contains("routeId=\"" + routeId + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static JedisCluster redis() {
        return new JedisCluster(cluster.ports().stream().map(p -> new HostAndPort("127.0.0.1", p))
                .collect(Collectors.toSet()));
    }
}
