package io.ttv.itests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
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
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Observability of a real node (docs/operations.md): a real Prometheus scrapes it and finds every metric the shipped alert rules
 * and dashboards use; every line of {@code karaf.log} is a JSON object whose ids tie the API's line to the worker's
 * lines of the same job, with no secret in any line; {@code /readyz} follows a Redis outage within 5 s.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ObservabilityIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String API_KEY = "it-observability-key-5f1c9a";
    private static final String CALLBACK_TOKEN = "cb-token-7d2e41";
    private static final List<String> REQUIRED = List.of("timestamp", "level", "component", "job_id", "request_id",
            "user_id", "trace_id", "span_id", "message", "duration_ms", "metadata");
    private static final Path REPO = Path.of(System.getProperty("ttv.gcs.emulator")).toAbsolutePath().getParent()
            .getParent();

    private static Distribution dist;
    private static HttpServer receiver;
    private static final List<String> signatures = new CopyOnWriteArrayList<>();
    private static final AtomicInteger callbacks = new AtomicInteger();
    private static Process prometheus;
    private static int prometheusPort;

    @BeforeAll
    static void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            String signature = exchange.getRequestHeaders().getFirst("webhook-signature");
            if (signature != null) {
                signatures.add(signature.substring(signature.indexOf(',') + 1));
            }
            exchange.getRequestBody().readAllBytes();
            // The first delivery fails, so the retry path (which logs the target's failure) runs too.
            int status = callbacks.incrementAndGet() == 1 ? 500 : 200;
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
        dist = new Distribution(Map.of("TTV_API_KEYS", API_KEY));
    }

    @AfterAll
    static void stop() throws Exception {
        if (prometheus != null) {
            Processes.stop(prometheus);
        }
        if (receiver != null) {
            receiver.stop(0);
        }
        if (dist != null) {
            dist.close();
        }
    }

    /**
     * A fresh node, before any job or error: every series the shipped rules and dashboards select is in its first
     * scrape (at 0), so an error rate is 0 and not "no data" — a 5xx series of http_requests_total included.
     */
    @Test
    @Order(0)
    void everyMonitoredMetricIsInTheFirstScrape() throws Exception {
        HttpResponse<String> scrape = dist.get("/metrics");
        assertEquals(200, scrape.statusCode());
        Set<String> exported = new TreeSet<>();
        for (String line : scrape.body().split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                exported.add(line.split("[{ ]", 2)[0]);
            }
        }
        Set<String> missing = new TreeSet<>(monitoredMetricNames());
        missing.remove("up"); // Prometheus' own series of a target
        missing.removeAll(exported);
        assertTrue(missing.isEmpty(), "absent from a fresh node's /metrics: " + missing);
        assertTrue(exported.contains("http_requests_errors_total"), "http_requests_errors_total absent");
        assertTrue(scrape.body().lines().anyMatch(l -> l.startsWith("http_requests_total{")
                && l.matches(".*status=\"5\\d\\d\".*")), "no 5xx series of http_requests_total");
    }

    @Test
    @Order(1)
    void prometheusFindsEveryMetricOfTheRulesAndDashboards() throws Exception {
        Set<String> names = monitoredMetricNames();
        assertTrue(names.size() >= 12 && names.contains("jobs_queued_total") && names.contains("up"),
                "names read from monitoring/: " + names);
        startPrometheus();

        // Traffic and a finished job, so that histograms, counters and the job metrics all have samples.
        String id = createJob("{\"prompt\":\"a metrics fox\",\"duration_seconds\":1}", "metrics-1");
        awaitStatus(id, "finished");
        assertEquals(404, authed(HttpRequest.newBuilder(dist.uri("/v1/jobs/" + java.util.UUID.randomUUID())))
                .statusCode());

        List<String> missing = new ArrayList<>(names);
        Processes.await("series in Prometheus for " + missing, Duration.ofSeconds(60), () -> {
            missing.removeIf(n -> !query("count({__name__=\"" + n + "\",job=\"ttv-api\"})").isEmpty());
            return missing.isEmpty();
        });
        // docs/operations.md names not used by a rule or dashboard are exported too.
        for (String n : List.of("http_requests_errors_total", "job_duration_seconds_count",
                "gcs_upload_duration_seconds_count", "redis_connected_clients", "redis_used_memory_bytes",
                "jobs_processing_total", "jobs_queued_total", "jvm_memory_used_bytes")) {
            assertFalse(query(n + "{job=\"ttv-api\"}").isEmpty(), n);
        }
        Processes.await("a number from histogram_quantile over the HTTP latency", Duration.ofSeconds(60), () -> {
            dist.get("/v1/jobs");
            for (JsonNode r : query("histogram_quantile(0.95, rate(http_request_duration_seconds_bucket[1m]))")) {
                double v = Double.parseDouble(r.get("value").get(1).asText());
                if (Double.isFinite(v) && v > 0) {
                    return true;
                }
            }
            return false;
        });
    }

    @Test
    @Order(2)
    void everyLogLineIsJsonAndTiesTheApiToTheWorkerWithoutSecrets() throws Exception {
        Path log = dist.karafHome.resolve("data/log/karaf.log");
        long from = Files.size(log);
        String requestId = "obs-req-" + System.nanoTime();
        String callback = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook?token=" + CALLBACK_TOKEN;
        String id = createJob("{\"prompt\":\"a logged fox\",\"duration_seconds\":1,\"callback_url\":\"" + callback
                + "\",\"callback_events\":[\"started\",\"finished\"]}", requestId);
        awaitStatus(id, "finished");
        HttpResponse<String> artifact = authed(HttpRequest.newBuilder(dist.uri("/v1/jobs/" + id + "/artifact")));
        assertEquals(200, artifact.statusCode(), artifact.body());
        String url = JSON.readTree(artifact.body()).get("url").asText();
        Processes.await("both callbacks delivered (one retried)", Duration.ofSeconds(60),
                () -> callbacks.get() >= 3 && dist.karafLog().contains("Callback "));
        Processes.await("the worker's last line of the job", Duration.ofSeconds(30),
                () -> dist.karafLog().contains("Job " + id + " finished"));

        List<JsonNode> lines = jsonLines(log, from);
        List<JsonNode> ofJob = lines.stream().filter(l -> id.equals(l.get("job_id").asText(null))).toList();
        JsonNode api = ofJob.stream().filter(l -> "api".equals(l.get("component").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no API line of job " + id + " in " + lines));
        assertEquals(requestId, api.get("request_id").asText(), api.toString());
        assertTrue(api.get("user_id").isTextual(), "the API key's principal: " + api);
        List<JsonNode> worker = ofJob.stream().filter(l -> "worker".equals(l.get("component").asText())).toList();
        assertTrue(worker.stream().anyMatch(l -> l.get("message").asText().contains("started")), worker.toString());
        JsonNode finished = worker.stream().filter(l -> l.get("message").asText().endsWith(" finished")).findFirst()
                .orElseThrow(() -> new AssertionError("no worker 'finished' line: " + worker));
        assertTrue(finished.get("duration_ms").isNumber(), finished.toString());
        for (JsonNode w : worker) {
            assertEquals(requestId, w.get("request_id").asText(), "worker line keeps the request id: " + w);
        }
        JsonNode access = lines.stream().filter(l -> requestId.equals(l.get("request_id").asText(null))
                && l.get("message").asText().startsWith("POST /v1/jobs 202")).findFirst()
                .orElseThrow(() -> new AssertionError("no access line of the create request"));
        assertTrue(access.get("duration_ms").isNumber(), access.toString());

        // Karaf's own lines since boot are JSON objects too.
        List<JsonNode> all = jsonLines(log, 0);
        assertTrue(all.stream().anyMatch(l -> l.get("component").asText().startsWith("org.apache.karaf")),
                "Karaf's own lines");

        String text = Files.readString(log);
        assertFalse(text.contains(API_KEY), "API key in the log");
        assertFalse(text.contains(CALLBACK_TOKEN), "callback URL token in the log");
        assertFalse(signatures.isEmpty(), "callbacks were signed");
        for (String s : signatures) {
            assertFalse(text.contains(s), "callback signature in the log");
        }
        for (String param : List.of("X-Goog-Signature", "X-Goog-Credential")) {
            String value = queryParam(url, param);
            assertNotNull(value, param + " in " + url);
            assertFalse(text.contains(value) || text.contains(URLEncoder.encode(value, StandardCharsets.UTF_8)),
                    param + " value in the log");
        }
    }

    @Test
    @Order(3)
    void readinessFollowsRedisWithinFiveSeconds() throws Exception {
        assertEquals(200, dist.get("/readyz").statusCode());
        dist.stopRedis();
        long down = System.nanoTime();
        Processes.await("/readyz 503 after Redis stopped", Duration.ofSeconds(5),
                () -> dist.get("/readyz").statusCode() == 503);
        String text = dist.get("/readyz").body();
        JsonNode body = JSON.readTree(text);
        assertEquals("not_ready", body.path("status").asText(), text);
        assertEquals("unhealthy", body.get("components").get("redis").asText(), body.toString());
        assertEquals(Set.of("redis", "gcs", "workers", "api"), fieldNames(body.get("components")));
        System.out.printf("readiness down after %d ms%n", (System.nanoTime() - down) / 1_000_000);

        dist.startRedis();
        long up = System.nanoTime();
        Processes.await("/readyz 200 after Redis restarted", Duration.ofSeconds(5),
                () -> dist.get("/readyz").statusCode() == 200);
        System.out.printf("readiness up after %d ms%n", (System.nanoTime() - up) / 1_000_000);
        assertEquals("healthy", JSON.readTree(dist.get("/readyz").body()).get("components").get("redis").asText());
    }

    // --- helpers -----------------------------------------------------------------------------------------------

    private static String createJob(String body, String requestId) throws IOException {
        HttpResponse<String> r = authed(HttpRequest.newBuilder(dist.uri("/v1/jobs"))
                .header("Content-Type", "application/json").header("X-Request-ID", requestId)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        assertEquals(202, r.statusCode(), r.body());
        return JSON.readTree(r.body()).get("id").asText();
    }

    private static HttpResponse<String> authed(HttpRequest.Builder request) {
        return dist.send(request.header("X-API-Key", API_KEY).build());
    }

    private static void awaitStatus(String id, String status) throws InterruptedException {
        Processes.await("job " + id + " " + status, Duration.ofSeconds(90),
                () -> status.equals(dist.job(id).get("status").asText()));
    }

    /** Metric names of the node's selectors in the shipped rules and dashboards (not the exporter's job="redis"). */
    static Set<String> monitoredMetricNames() throws IOException {
        List<String> exprs = new ArrayList<>();
        List<String> rules = Files.readAllLines(REPO.resolve("monitoring/ttv-api-rules.yml"));
        for (int i = 0; i < rules.size(); i++) {
            Matcher m = Pattern.compile("^(\\s*)expr:\\s*(.*)$").matcher(rules.get(i));
            if (m.matches()) {
                StringBuilder e = new StringBuilder(m.group(2).equals("|") ? "" : m.group(2));
                for (int j = i + 1; j < rules.size() && (rules.get(j).isBlank()
                        || rules.get(j).length() - rules.get(j).stripLeading().length() > m.group(1).length()); j++) {
                    e.append(' ').append(rules.get(j).strip());
                }
                exprs.add(e.toString());
            }
        }
        try (var files = Files.list(REPO.resolve("monitoring/grafana/dashboards"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                JSON.readTree(f.toFile()).findValues("expr").forEach(v -> exprs.add(v.asText()));
            }
        }
        Set<String> names = new TreeSet<>();
        Pattern selector = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{([^}]*)\\}");
        for (String e : exprs) {
            Matcher m = selector.matcher(e);
            while (m.find()) {
                if (!m.group(2).replace(" ", "").contains("job=\"redis\"")) {
                    names.add(m.group(1));
                }
            }
        }
        return names;
    }

    private static void startPrometheus() throws Exception {
        prometheusPort = Processes.freePort();
        Path dir = Files.createDirectories(dist.work.resolve("prometheus"));
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: ttv-api
                    metrics_path: /metrics
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                        labels:
                          role: all
                """.formatted(dist.httpPort));
        prometheus = new ProcessBuilder("prometheus", "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + prometheusPort)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        Processes.await("Prometheus ready", Duration.ofSeconds(60), () -> prometheus.isAlive()
                && dist.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + prometheusPort + "/-/ready"))
                .build()).statusCode() == 200);
        Processes.await("the node's target up", Duration.ofSeconds(30),
                () -> query("up{job=\"ttv-api\"} == 1").size() == 1);
    }

    /** The result vector of an instant query. */
    private static List<JsonNode> query(String promql) {
        try {
            HttpResponse<String> r = dist.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + prometheusPort
                    + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8))).build());
            JsonNode body = JSON.readTree(r.body());
            if (!"success".equals(body.path("status").asText())) {
                throw new AssertionError(promql + ": " + r.body());
            }
            List<JsonNode> out = new ArrayList<>();
            body.get("data").get("result").forEach(out::add);
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every line of the log from byte {@code from} on, each parsed as a JSON object with the required fields. */
    private static List<JsonNode> jsonLines(Path log, long from) throws IOException {
        byte[] all = Files.readAllBytes(log);
        String text = new String(all, (int) from, all.length - (int) from, StandardCharsets.UTF_8);
        List<JsonNode> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (IOException e) {
                throw new AssertionError("not a JSON line: " + line, e);
            }
            assertTrue(node != null && node.isObject(), "not a JSON object: " + line);
            for (String f : REQUIRED) {
                assertTrue(node.has(f), "missing " + f + ": " + line);
            }
            assertTrue(node.get("timestamp").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d{4})"), line);
            assertTrue(node.get("metadata").isObject(), line);
            assertTrue(node.get("duration_ms").isNull() || node.get("duration_ms").isNumber(), line);
            out.add(node);
        }
        return out;
    }

    private static String queryParam(String url, String name) {
        String query = URI.create(url).getRawQuery();
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equalsIgnoreCase(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
