package io.ttv.itests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import redis.clients.jedis.Jedis;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ttv:* Karaf console commands, run through bin/client against a real node, checked against what the HTTP API
 * (and Redis) say about the same jobs, routes and workers; and switching the node feature at run time
 * (ttv-pipeline → ttv-api → ttv-pipeline) without losing a queued job.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final String CLAIM = "queue-claim-1";
    private static Distribution dist;
    private static HttpServer receiver;
    /** HTTP status the callback receiver answers with. */
    private static final AtomicInteger RECEIVER_STATUS = new AtomicInteger(500);
    private static final BlockingQueue<String> RECEIVED = new LinkedBlockingQueue<>();

    @BeforeAll
    static void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            int status = RECEIVER_STATUS.get();
            if (status == 200) {
                RECEIVED.add(new String(body, StandardCharsets.UTF_8));
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
        // A short callback retry schedule, so that a failing receiver is dead-lettered within the test.
        dist = new Distribution(Map.of("TTV_WORKER_CONCURRENCY", "1", "TTV_MAX_ATTEMPTS", "1",
                "TTV_WORKER_HEARTBEAT_SECONDS", "3", "TTV_SHUTDOWN_GRACE_SECONDS", "1",
                "TTV_CALLBACK_RETRY_SCHEDULE", "200ms,200ms"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (dist != null) {
            dist.close();
        }
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    /** A failed test leaves no stopped claim route behind for the next ones. */
    @AfterEach
    void claimRouteRunning() {
        if (dist.get("/healthz").statusCode() == 200 && console("ttv:routes").contains(CLAIM)) {
            String state = routeState(CLAIM);
            if (state.equals("Suspended")) {
                console("ttv:route resume " + CLAIM);
            } else if (state.equals("Stopped")) {
                console("ttv:route start " + CLAIM);
            }
        }
    }

    /** The third-party jars come wrapped from the build: the node wraps nothing at boot (docs/packaging.md). */
    @Test
    @Order(0)
    void everyBundleComesReadyFromTheBuildAndNoneFromAWrapUrl() {
        // bundle:list -l rows: ID | State | Lvl | Version | Location
        List<String[]> bundles = console("bundle:list -t 0 -l").lines().map(l -> l.split("\\s*[│|]\\s*"))
                .filter(cells -> cells.length == 5 && cells[0].strip().matches("\\d+")).toList();
        assertTrue(bundles.size() > 100, "bundle:list -t 0 -l lists the node's bundles: " + bundles.size());
        assertEquals(List.of(), bundles.stream().map(cells -> cells[4]).filter(l -> l.startsWith("wrap:")).toList(),
                "bundles installed from wrap: URLs");
        List<String[]> wrapped = bundles.stream().filter(cells -> cells[4].startsWith("mvn:io.ttv/ttv-wrapped/"))
                .toList();
        assertFalse(wrapped.isEmpty(), "no bundle from io.ttv:ttv-wrapped");
        assertEquals(List.of(), wrapped.stream().filter(cells -> !cells[1].equals("Active")).map(cells -> cells[4])
                .toList(), "wrapped bundles that are not active");
    }

    @Test
    @Order(1)
    void jobsAndJobShowMatchTheApi() throws Exception {
        String a = create("{\"prompt\":\"console list a\",\"duration_seconds\":1}");
        String b = create("{\"prompt\":\"console list b\",\"duration_seconds\":1}");
        awaitStatus(a, "finished");
        awaitStatus(b, "finished");

        Set<String> api = apiIds("/v1/jobs?limit=100");
        assertTrue(api.contains(a) && api.contains(b));
        assertEquals(api, ids(console("ttv:jobs --limit 100")), "ttv:jobs lists the ids GET /v1/jobs returns");
        assertEquals(apiIds("/v1/jobs?limit=100&status=finished"), ids(console("ttv:jobs --status finished -n 100")));
        assertEquals(Set.of(), ids(console("ttv:jobs --status failed")));
        Set<String> one = ids(console("ttv:jobs --limit 1"));
        assertEquals(1, one.size(), "--limit");

        String show = console("ttv:job-show " + a);
        JsonNode job = dist.job(a);
        assertTrue(row(show, "status").equals("finished"), show);
        assertEquals(job.get("prompt").asText(), row(show, "prompt"));
        assertEquals(job.get("gcs_uri").asText(), row(show, "gcs_uri"));
        assertEquals(job.get("attempts").asText(), row(show, "attempts"));
        JsonNode logs = JSON.readTree(dist.get("/v1/jobs/" + a + "/logs?tail=3").body()).get("lines");
        assertTrue(show.contains(logs.get(logs.size() - 1).asText()), "the last log line is shown:\n" + show);
    }

    @Test
    @Order(2)
    void routeSuspendKeepsJobsQueuedAndQueueDepthMatchesTheApi() throws Exception {
        assertEquals("Started", routeState(CLAIM));
        String out = console("ttv:route suspend " + CLAIM);
        assertTrue(out.contains("Route " + CLAIM + " is Suspended"), out);
        assertEquals("Suspended", routeState(CLAIM), "ttv:routes shows the suspension");

        List<String> queued = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            queued.add(create("{\"prompt\":\"console queued " + i + "\",\"duration_seconds\":1}"));
        }
        Set<String> apiQueued = apiIds("/v1/jobs?limit=100&status=queued");
        assertEquals(new HashSet<>(queued), apiQueued, "nothing is claimed while the claim route is suspended");
        assertEquals(Long.toString(apiQueued.size()), queueRow(console("ttv:queue"), "queued"),
                "ttv:queue depth equals the number of queued jobs");
        String queue = console("ttv:queue");
        assertTrue(queueRow(queue, "oldest waiting").startsWith(queued.get(0)), queue);

        // cancel one of them from the console
        String cancel = console("ttv:job-cancel " + queued.get(2));
        assertTrue(cancel.contains("canceled"), cancel);
        assertEquals("canceled", dist.job(queued.get(2)).get("status").asText());
        assertEquals("2", queueRow(console("ttv:queue"), "queued"));
        assertOneErrorLine(console("ttv:job-cancel " + queued.get(2)), "has already ended: canceled");

        out = console("ttv:route resume " + CLAIM);
        assertTrue(out.contains("Route " + CLAIM + " is Started"), out);
        assertEquals("Started", routeState(CLAIM));
        awaitStatus(queued.get(0), "finished");
        awaitStatus(queued.get(1), "finished");
        assertEquals("0", queueRow(console("ttv:queue"), "queued"));
    }

    @Test
    @Order(3)
    void routesShowStatisticsAndStopStartOfTheClaimRouteIsVisibleInTheApi() throws Exception {
        String before = console("ttv:routes");
        long total = routeTotal(before, "ops-healthz");
        for (int i = 0; i < 3; i++) {
            assertEquals(200, dist.get("/healthz").statusCode());
        }
        long after = routeTotal(console("ttv:routes"), "ops-healthz");
        assertTrue(after >= total + 3, "exchanges total counts the 3 requests: " + total + " -> " + after);
        String[] cells = routeCells(console("ttv:routes"), "ops-healthz");
        assertEquals("Started", cells[1].trim());
        assertEquals("0", cells[3].trim(), "no failed exchange");
        assertEquals("0", cells[4].trim(), "none in flight");
        assertTrue(Long.parseLong(cells[5].trim()) >= 0, "mean processing time in ms");
        assertTrue(cells[7].trim().startsWith("io.ttv.core "), "the core contributes the ops routes: " + cells[7]);
        assertTrue(routeCells(console("ttv:routes"), CLAIM)[7].trim().startsWith("io.ttv.flow.processing "),
                "the processing bundle contributes the claim loops");
        assertTrue(routeCells(console("ttv:routes"), "intake-create-job")[7].trim()
                .startsWith("io.ttv.flow.intake "), "the intake bundle contributes the create route");

        assertTrue(console("ttv:route stop " + CLAIM).contains("is Stopped"));
        assertEquals("Stopped", routeState(CLAIM));
        String id = create("{\"prompt\":\"console stopped claim\",\"duration_seconds\":1}");
        assertEquals("queued", dist.job(id).get("status").asText());
        assertEquals("1", queueRow(console("ttv:queue"), "queued"), "no claims while the route is stopped");
        assertEquals("queued", dist.job(id).get("status").asText());
        assertTrue(console("ttv:route start " + CLAIM).contains("is Started"));
        assertEquals("Started", routeState(CLAIM));
        awaitStatus(id, "finished");
        assertOneErrorLine(console("ttv:route suspend no-such-route"), "No route no-such-route");
    }

    @Test
    @Order(4)
    void workersAndHealthMatchRedisAndReadyz() throws Exception {
        String worker;
        try (Jedis redis = new Jedis("127.0.0.1", dist.redisPort)) {
            List<String> workers = redis.zrange("ttv:workers", 0, -1);
            assertEquals(1, workers.size(), workers.toString());
            worker = workers.get(0);
        }
        String out = console("ttv:workers");
        String line = out.lines().filter(l -> l.contains(worker)).findFirst().orElseThrow(() -> new AssertionError(out));
        assertTrue(line.contains(worker + " *") && line.contains("alive"), line);

        assertEquals(200, dist.get("/readyz").statusCode());
        String health = console("ttv:health");
        assertTrue(health.contains("READY") && !health.contains("NOT READY"), health);
        for (String check : List.of("redis", "gcs", "workers")) {
            assertTrue(health.lines().anyMatch(l -> l.startsWith(check) && l.contains("UP")), check + ":\n" + health);
        }
    }

    @Test
    @Order(5)
    void failedJobIsRetriedFromTheConsoleAndFinishes() throws Exception {
        String id;
        dist.stopGcs();
        try {
            id = create("{\"prompt\":\"console retry\",\"duration_seconds\":1}");
            awaitStatus(id, "failed");
            assertEquals(503, dist.get("/readyz").statusCode());
            String health = console("ttv:health");
            assertTrue(health.contains("NOT READY") && health.lines().anyMatch(l -> l.startsWith("gcs")
                    && l.contains("DOWN")), health);
            assertEquals(Set.of(id), ids(console("ttv:jobs --status failed")));
        } finally {
            dist.startGcs();
        }
        // The operator retries once the node sees storage again (its first calls may meet stale connections).
        Processes.await("gcs to be UP in ttv:health", Duration.ofSeconds(90), () -> console("ttv:health").lines()
                .anyMatch(l -> l.startsWith("gcs") && l.contains("UP")) && dist.get("/readyz").statusCode() == 200);
        String out = console("ttv:job-retry " + id);
        assertTrue(out.contains("queued again"), out);
        awaitStatus(id, "finished");
        JsonNode job = dist.job(id);
        assertEquals(1, job.get("attempts").asInt(), "attempts were reset by the retry");
        assertTrue(job.get("error").isNull(), job.toString());
        assertTrue(console("ttv:job-show " + id).contains("retried by an operator"));

        assertOneErrorLine(console("ttv:job-retry " + id), "is finished: only a failed job can be retried");
        assertEquals("finished", dist.job(id).get("status").asText(), "a finished job stays finished");
    }

    @Test
    @Order(6)
    void deadLetteredCallbackIsListedAndReplayed() throws Exception {
        RECEIVER_STATUS.set(500);
        String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        String id = create("{\"prompt\":\"console callback\",\"duration_seconds\":1,\"callback_url\":\"" + url
                + "\",\"callback_events\":[\"finished\"]}");
        awaitStatus(id, "finished");
        String dl = id + "_finished";
        Processes.await("the callback to be dead-lettered", Duration.ofSeconds(60),
                () -> console("ttv:callbacks").contains(dl));
        String list = console("ttv:callbacks");
        String line = list.lines().filter(l -> l.contains(dl)).findFirst().orElseThrow();
        assertTrue(line.contains("finished") && line.contains(url), line);

        RECEIVER_STATUS.set(200);
        String out = console("ttv:callback-replay " + dl);
        assertTrue(out.contains("sent again"), out);
        String body = RECEIVED.poll(30, TimeUnit.SECONDS);
        assertNotNull(body, "the replayed callback arrived");
        JsonNode event = JSON.readTree(body);
        assertEquals("job.finished", event.get("type").asText());
        assertEquals(id, event.get("data").get("id").asText());
        assertFalse(console("ttv:callbacks").contains(dl), "a replayed callback leaves the dead letters");
        assertTrue(console("ttv:callback-replay --all").contains("Replayed 0 callbacks"));
        assertOneErrorLine(console("ttv:callback-replay " + dl), "No dead-lettered callback " + dl);
    }

    @Test
    @Order(7)
    void unknownIdsGiveOneClearErrorLine() throws Exception {
        String missing = "00000000-0000-0000-0000-000000000000";
        assertEquals(404, dist.get("/v1/jobs/" + missing).statusCode());
        for (String cmd : List.of("ttv:job-show", "ttv:job-cancel", "ttv:job-retry")) {
            assertOneErrorLine(console(cmd + " " + missing), "No job " + missing);
        }
        assertOneErrorLine(console("ttv:jobs --status bogus"), "Unknown status 'bogus'");
    }

    @Test
    @Order(8)
    void featureSwitchToApiOnlyKeepsTheApiAndTheQueuedJobs() throws Exception {
        console("ttv:route suspend " + CLAIM);
        String waiting = create("{\"prompt\":\"console survives the switch\",\"duration_seconds\":1}");
        assertEquals("queued", dist.job(waiting).get("status").asText());

        console("feature:uninstall ttv-pipeline");
        Processes.await("the node to stop", Duration.ofSeconds(60), () -> !Processes.accepts(dist.httpPort));
        console("feature:install ttv-api");
        Processes.await("the API-only node to answer", Duration.ofSeconds(120), () -> Processes.accepts(dist.httpPort)
                && dist.get("/healthz").statusCode() == 200);
        String features = console("feature:list -i");
        assertTrue(features.lines().anyMatch(l -> l.startsWith("ttv-api ")), features);
        assertFalse(features.lines().anyMatch(l -> l.startsWith("ttv-pipeline ")), features);

        assertEquals("queued", dist.job(waiting).get("status").asText(), "the queued job survived the switch");
        String another = create("{\"prompt\":\"console api only\",\"duration_seconds\":1}");
        assertEquals(Set.of(waiting, another), apiIds("/v1/jobs?limit=100&status=queued"));
        assertEquals("2", queueRow(console("ttv:queue"), "queued"), "nothing claims jobs on an API-only node");
        // No live worker, yet the API-only node is ready (workers may be scaled to zero); the workers check shows.
        Processes.await("the API-only node to be ready", Duration.ofSeconds(60),
                () -> dist.get("/readyz").statusCode() == 200);
        JsonNode ready = JSON.readTree(dist.get("/readyz").body());
        assertEquals("unhealthy", ready.get("components").get("workers").asText(), ready.toString());
        String health = console("ttv:health");
        assertTrue(health.contains("role api") && health.contains("READY") && !health.contains("NOT READY"), health);
        assertTrue(health.lines().anyMatch(l -> l.startsWith("workers") && l.contains("DOWN")), health);
        assertFalse(console("ttv:routes").contains(CLAIM), "no worker routes on an API-only node");
        String replay = console("ttv:callback-replay --all");
        assertTrue(replay.contains("Replayed 0 callbacks"), "an API-only node delivers replays too: " + replay);

        console("feature:uninstall ttv-api");
        Processes.await("the API-only node to stop", Duration.ofSeconds(60), () -> !Processes.accepts(dist.httpPort));
        console("feature:install ttv-pipeline");
        Processes.await("the full node to answer", Duration.ofSeconds(120), () -> Processes.accepts(dist.httpPort)
                && dist.get("/readyz").statusCode() == 200);
        awaitStatus(waiting, "finished");
        awaitStatus(another, "finished");
        assertTrue(console("ttv:health").contains("role all"));
    }

    @Test
    @Order(9)
    void purgeRemovesOnlyOldTerminalJobs() throws Exception {
        console("ttv:route suspend " + CLAIM);
        String queued = create("{\"prompt\":\"console not purged\",\"duration_seconds\":1}");
        Set<String> finished = apiIds("/v1/jobs?limit=100&status=finished");
        assertFalse(finished.isEmpty());
        assertTrue(console("ttv:jobs-purge --older-than-days 1").contains("Purged 0 terminal jobs"),
                "every job here ended today");
        Set<String> terminal = new HashSet<>(finished);
        terminal.addAll(apiIds("/v1/jobs?limit=100&status=canceled"));
        terminal.addAll(apiIds("/v1/jobs?limit=100&status=failed"));
        String out = console("ttv:jobs-purge --older-than-days 0");
        assertTrue(out.contains("Purged " + terminal.size() + " terminal job"), out + " expected " + terminal.size());
        String f = finished.iterator().next();
        assertEquals(404, dist.get("/v1/jobs/" + f).statusCode(), "a purged job is gone from the API");
        try (Jedis redis = new Jedis("127.0.0.1", dist.redisPort)) {
            assertFalse(redis.exists("rq:job:" + f + ":logs"), "its logs too");
            assertEquals(null, redis.zscore("rq:jobs", f), "and its index entry");
        }
        assertEquals(Set.of(queued), apiIds("/v1/jobs?limit=100"), "the queued job is kept");
        assertEquals(Set.of(queued), ids(console("ttv:jobs")));
        console("ttv:route resume " + CLAIM);
        awaitStatus(queued, "finished");
    }

    // ---- helpers

    /** What the command printed, without bin/client's own JAVA_HOME notice. */
    private static String console(String command) {
        try {
            return dist.console(command).lines().filter(l -> !l.startsWith("client: JAVA_HOME not set"))
                    .collect(java.util.stream.Collectors.joining("\n"));
        } catch (Exception e) {
            throw new IllegalStateException("bin/client failed: " + command, e);
        }
    }

    private static String create(String json) throws Exception {
        var r = dist.postJson("/v1/jobs", json);
        assertEquals(202, r.statusCode(), r.body());
        return JSON.readTree(r.body()).get("id").asText();
    }

    private static void awaitStatus(String id, String status) throws InterruptedException {
        Processes.await("job " + id + " to be " + status, Duration.ofSeconds(120), () -> {
            String s = dist.job(id).get("status").asText();
            if (!s.equals(status) && (s.equals("finished") || s.equals("failed") || s.equals("canceled"))) {
                throw new AssertionError("job " + id + " ended " + s + ", expected " + status + ": " + dist.job(id));
            }
            return s.equals(status);
        });
    }

    private static Set<String> apiIds(String path) throws Exception {
        var r = dist.get(path);
        assertEquals(200, r.statusCode(), r.body());
        Set<String> out = new HashSet<>();
        JSON.readTree(r.body()).get("jobs").forEach(j -> out.add(j.get("id").asText()));
        return out;
    }

    private static Set<String> ids(String output) {
        Set<String> out = new HashSet<>();
        for (String line : output.split("\n")) {
            Matcher m = UUID.matcher(line);
            if (m.find() && line.startsWith(m.group())) {
                out.add(m.group());
            }
        }
        return out;
    }

    /** The value column of a two-column table row (ttv:job-show, ttv:queue). */
    private static String row(String output, String key) {
        for (String line : output.split("\n")) {
            String[] cells = line.split("\\s*│\\s*|\\s*\\|\\s*");
            if (cells.length >= 2 && cells[0].trim().equals(key)) {
                return cells[1].trim();
            }
        }
        throw new AssertionError("no row " + key + " in:\n" + output);
    }

    private static String queueRow(String output, String key) {
        return row(output, key);
    }

    private static String[] routeCells(String output, String route) {
        for (String line : output.split("\n")) {
            String[] cells = line.split("\\s*│\\s*|\\s*\\|\\s*");
            if (cells.length >= 6 && cells[0].trim().equals(route)) {
                return cells;
            }
        }
        throw new AssertionError("no route " + route + " in:\n" + output);
    }

    private static String routeState(String route) {
        return routeCells(console("ttv:routes"), route)[1].trim();
    }

    private static long routeTotal(String output, String route) {
        return Long.parseLong(routeCells(output, route)[2].trim());
    }

    private static void assertOneErrorLine(String output, String expected) {
        List<String> lines = output.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        assertEquals(1, lines.size(), "one line:\n" + output);
        assertTrue(lines.get(0).contains(expected), "expected '" + expected + "' in: " + lines.get(0));
    }
}
