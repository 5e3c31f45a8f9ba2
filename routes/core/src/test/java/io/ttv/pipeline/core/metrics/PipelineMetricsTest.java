package io.ttv.pipeline.core.metrics;

import io.ttv.pipeline.testing.TestRedis;
import io.ttv.pipeline.core.app.RedisClients;
import io.ttv.pipeline.core.config.PipelineConfig;
import io.ttv.pipeline.core.redis.JobStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.embedded.RedisServer;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The {@code /metrics} text of a node against a real Redis: every docs/operations.md name exported under exactly that name and
 * type, the fleet gauges counted from Redis, NaN (not a failed scrape) when Redis is gone, and the whole text accepted
 * by Prometheus's own parser ({@code promtool check metrics}).
 */
class PipelineMetricsTest {
    private static final Duration TTL = Duration.ofSeconds(30);
    /** name → type, exactly as docs/operations.md and the operations guide name them. */
    private static final Map<String, String> DOCUMENTED_METRICS = new LinkedHashMap<>();

    static {
        DOCUMENTED_METRICS.put("http_requests_total", "counter");
        DOCUMENTED_METRICS.put("http_request_duration_seconds", "histogram");
        DOCUMENTED_METRICS.put("http_requests_errors_total", "counter");
        DOCUMENTED_METRICS.put("api_active_connections", "gauge");
        DOCUMENTED_METRICS.put("jobs_queued_total", "gauge");
        DOCUMENTED_METRICS.put("jobs_processing_total", "gauge");
        DOCUMENTED_METRICS.put("jobs_completed_total", "counter");
        DOCUMENTED_METRICS.put("jobs_failed_total", "counter");
        DOCUMENTED_METRICS.put("jobs_total", "counter");
        DOCUMENTED_METRICS.put("job_duration_seconds", "histogram");
        DOCUMENTED_METRICS.put("redis_queue_depth", "gauge");
        DOCUMENTED_METRICS.put("worker_active_jobs", "gauge");
        DOCUMENTED_METRICS.put("gcs_upload_duration_seconds", "histogram");
        DOCUMENTED_METRICS.put("redis_connected_clients", "gauge");
        DOCUMENTED_METRICS.put("redis_used_memory_bytes", "gauge");
    }

    @RegisterExtension
    static final TestRedis redis = TestRedis.perClass(Map.of("TTV_REDIS_TIMEOUT_MS", "500"));
    private static RedisClients clients;
    private static JobStore store;

    @BeforeAll
    static void stores() {
        clients = redis.clients();
        store = new JobStore(clients.template(), clients.keys());
    }

    @Test
    void everySpecMetricIsExportedUnderItsNameAndType() {
        PipelineMetrics metrics = new PipelineMetrics(store, TTL);
        metrics.jobAccepted();
        metrics.jobStarted();
        metrics.jobEnded("finished", Duration.ofSeconds(3));
        metrics.jobStarted();
        metrics.jobEnded("failed", Duration.ofSeconds(1));
        metrics.uploaded(Duration.ofMillis(40));
        metrics.httpRequest("GET", "/v1/jobs/{id}", 200, TimeUnit.MILLISECONDS.toNanos(12));
        metrics.httpRequest("POST", "/v1/jobs", 500, TimeUnit.MILLISECONDS.toNanos(3));
        metrics.activeConnections(() -> 2);
        String text = metrics.scrape();

        Map<String, String> types = types(text);
        DOCUMENTED_METRICS.forEach((name, type) -> assertEquals(type, types.get(name), name + " in\n" + text));
        assertEquals(1.0, value(text, "jobs_total"));
        assertEquals(1.0, value(text, "jobs_completed_total"));
        assertEquals(1.0, value(text, "jobs_failed_total"));
        assertEquals(2.0, value(text, "api_active_connections"));
        assertTrue(text.contains("http_requests_total{method=\"POST\",path=\"/v1/jobs\",status=\"500\"} 1"), text);
        assertTrue(text.contains("http_requests_errors_total{method=\"POST\",path=\"/v1/jobs\",status=\"500\"} 1"));
        assertTrue(text.contains("http_request_duration_seconds_bucket{method=\"GET\",path=\"/v1/jobs/{id}\","
                + "status=\"200\",le=\"0.025\"} 1"), text);
        assertTrue(text.contains("job_duration_seconds_count 2"), text);
        assertTrue(text.contains("jvm_memory_used_bytes"), "JVM metrics bound");
        promtoolAccepts(text);
    }

    @Test
    void fleetGaugesCountTheQueueAndTheLiveWorkersProcessingLists() {
        var redis = clients.template();
        redis.opsForList().leftPushAll(clients.keys().queue(), "a", "b", "c");
        store.heartbeat("w1", TTL);
        store.heartbeat("w2", TTL);
        redis.opsForList().leftPushAll(clients.keys().processing("w1"), "d", "e");
        redis.opsForList().leftPush(clients.keys().processing("w2"), "f");
        // A dead worker (last heartbeat long ago) holds a job the reaper has not returned yet: not running.
        redis.opsForZSet().add(clients.keys().workers(), "dead", System.currentTimeMillis() - TTL.toMillis() * 10);
        redis.opsForList().leftPush(clients.keys().processing("dead"), "g");

        String text = new PipelineMetrics(store, TTL).scrape();
        assertEquals(3.0, value(text, "jobs_queued_total"));
        assertEquals(3.0, value(text, "redis_queue_depth{queue=\"default\"}"));
        assertEquals(3.0, value(text, "jobs_processing_total"));
        assertTrue(value(text, "redis_connected_clients") >= 1, text);
        assertTrue(value(text, "redis_used_memory_bytes") > 100_000, text);
        promtoolAccepts(text);
    }

    @Test
    void redisDownGivesNaNNotAFailedScrape() throws IOException {
        RedisServer own;
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        own = new RedisServer(port);
        own.start();
        try (RedisClients c = new RedisClients(PipelineConfig.resolve(Map.of(),
                Map.of("TTV_REDIS_URL", "redis://127.0.0.1:" + port + "/0", "TTV_REDIS_TIMEOUT_MS", "500")), 8)) {
            PipelineMetrics metrics = new PipelineMetrics(new JobStore(c.template(), c.keys()), TTL);
            assertEquals(0.0, value(metrics.scrape(), "jobs_queued_total"));
            own.stop();
            long start = System.nanoTime();
            // The sample is cached for a second; a later scrape sees the outage.
            String text = awaitNaN(metrics);
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "scrape stayed fast");
            for (String g : List.of("jobs_queued_total", "jobs_processing_total", "redis_queue_depth{queue=\"default\"}",
                    "redis_connected_clients", "redis_used_memory_bytes")) {
                assertTrue(Double.isNaN(value(text, g)), g + " in\n" + text);
            }
            assertEquals(0.0, value(text, "jobs_total"), "the rest of the scrape is intact");
            promtoolAccepts(text);
        } finally {
            if (own.isActive()) {
                own.stop();
            }
        }
    }

    private static String awaitNaN(PipelineMetrics metrics) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        String text = metrics.scrape();
        while (!Double.isNaN(value(text, "jobs_queued_total")) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            text = metrics.scrape();
        }
        return text;
    }

    /** {@code # TYPE} lines: name → type. */
    private static Map<String, String> types(String text) {
        Map<String, String> types = new HashMap<>();
        Matcher m = Pattern.compile("(?m)^# TYPE (\\S+) (\\S+)$").matcher(text);
        while (m.find()) {
            types.put(m.group(1), m.group(2));
        }
        return types;
    }

    /** The value of the sample line that starts with {@code series} (name plus labels, exactly). */
    private static double value(String text, String series) {
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim().split(" ")[0]);
            }
        }
        throw new AssertionError("no sample " + series + " in\n" + text);
    }

    /**
     * Prometheus's text parser (promtool, Debian package {@code prometheus}) must accept the text: exit 1 is a parse
     * error. Exit 3 means lint advice only (the documented gauges named {@code jobs_*_total}, Micrometer's JVM names),
     * printed as {@code <metric> <advice>} lines; the documented gauges must be among them, proving promtool read them.
     */
    static void promtoolAccepts(String text) {
        try {
            Process p = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
            p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool did not finish");
            if (p.exitValue() == 0) {
                return;
            }
            assertEquals(3, p.exitValue(), "promtool found errors (exit 1 = unparseable):\n" + out);
            for (String line : out.strip().split("\n")) {
                assertTrue(line.matches("[a-zA-Z_:][a-zA-Z0-9_:]* [a-z].*") && !line.contains("error"),
                        "unexpected promtool finding: " + line + "\n" + out);
            }
            assertTrue(out.contains("jobs_queued_total non-counter metrics should not have \"_total\" suffix"), out);
        } catch (IOException e) {
            fail("promtool is needed (Debian package prometheus; scripts/test.sh installs it): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(e);
        }
    }
}
