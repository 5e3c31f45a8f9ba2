package io.ttv.itests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scale-out and a crash under load: one API node and two worker nodes (concurrency 4 each) on one Redis take 500
 * jobs; one worker node is killed with SIGKILL mid-run. Every job ends {@code finished} exactly once with exactly one
 * video and one manifest in storage; only the jobs the dead node was running ran a second time.
 */
class ScaleOutIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int JOBS = 500;
    private static final int CONCURRENCY = 4;
    private static Distribution worker1;
    private static Distribution api;
    private static Distribution worker2;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> worker = Map.of("TTV_ROLE", "worker", "TTV_WORKER_CONCURRENCY", Integer.toString(CONCURRENCY),
                "TTV_WORKER_HEARTBEAT_SECONDS", "2");
        worker1 = new Distribution(worker);
        api = new Distribution(worker1, Map.of("TTV_ROLE", "api", "TTV_RATE_LIMIT", "0"));
        worker2 = new Distribution(worker1, worker);
    }

    @AfterAll
    static void stop() throws Exception {
        for (Distribution d : new Distribution[]{worker2, api, worker1}) {
            if (d != null) {
                d.close();
            }
        }
    }

    @Test
    void fiveHundredJobsThroughTwoWorkerNodesWithOneKilledEndFinishedExactlyOnce() throws Exception {
        long start = System.nanoTime();
        List<Callable<HttpResponse<String>>> posts = new ArrayList<>();
        for (int i = 0; i < JOBS; i++) {
            String body = "{\"prompt\":\"scale " + i + "\",\"duration_seconds\":1,\"aspect_ratio\":\"1:1\"}";
            posts.add(() -> api.postJson("/v1/jobs", body));
        }
        ExecutorService clients = Executors.newFixedThreadPool(8);
        List<String> ids = new ArrayList<>();
        try {
            for (Future<HttpResponse<String>> p : clients.invokeAll(posts)) {
                HttpResponse<String> r = p.get(120, TimeUnit.SECONDS);
                assertEquals(202, r.statusCode(), r.body());
                ids.add(JSON.readTree(r.body()).get("id").asText());
            }
        } finally {
            clients.shutdownNow();
        }

        Processes.await("100 jobs finished", Duration.ofSeconds(300), () -> finished() >= 100);
        worker2.crashKaraf();
        long killed = System.nanoTime();
        Processes.await("the dead worker reaped", Duration.ofSeconds(60), () -> liveWorkers() == 1);
        long recoveryMs = (System.nanoTime() - killed) / 1_000_000;

        Processes.await("all jobs finished", Duration.ofSeconds(900), () -> finished() == JOBS);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("[scale-out] %d jobs in %.1f s (%.1f jobs/s); dead worker's jobs requeued %d ms after "
                + "SIGKILL%n", JOBS, seconds, JOBS / seconds, recoveryMs);

        int rerun = 0;
        for (String id : ids) {
            JsonNode job = api.job(id);
            assertEquals("finished", job.get("status").asText(), job.toString());
            int attempts = job.get("attempts").asInt();
            assertTrue(attempts == 1 || attempts == 2, job.toString());
            rerun += attempts - 1;
            JsonNode lines = JSON.readTree(api.get("/v1/jobs/" + id + "/logs?tail=1000").body()).get("lines");
            int started = 0;
            int finishedLines = 0;
            for (JsonNode line : lines) {
                // Each line is "[timestamp] message".
                String message = line.asText().substring(line.asText().indexOf("] ") + 2);
                started += message.startsWith("started on worker") ? 1 : 0;
                finishedLines += message.equals("finished") ? 1 : 0;
            }
            assertEquals(attempts, started, "one start per attempt: " + lines);
            assertEquals(1, finishedLines, "one terminal transition: " + lines);
            assertEquals(2, storedObjects(job.get("gcs_uri").asText()), "one video and one manifest for " + id);
        }
        assertTrue(rerun <= CONCURRENCY, rerun + " jobs ran twice; only the " + CONCURRENCY
                + " the killed node was running may");
        assertEquals(0, queued(), "nothing left behind");
    }

    private static long finished() {
        try (Jedis jedis = new Jedis("127.0.0.1", api.redisPort)) {
            Object n = jedis.eval("local n = 0 for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do "
                    + "if redis.call('HGET', 'rq:job:' .. id, 'status') == 'finished' then n = n + 1 end end return n",
                    1, "rq:jobs");
            return (Long) n;
        }
    }

    private static long liveWorkers() {
        try (Jedis jedis = new Jedis("127.0.0.1", api.redisPort)) {
            return jedis.zcard("ttv:workers");
        }
    }

    private static long queued() {
        try (Jedis jedis = new Jedis("127.0.0.1", api.redisPort)) {
            return jedis.llen("rq:queue:default") + jedis.zcard("rq:queue:delayed");
        }
    }

    /** Objects in the emulator under the job's folder (the folder of {@code gs://bucket/…/final_video.mp4}). */
    private static int storedObjects(String gcsUri) throws Exception {
        String path = gcsUri.substring(("gs://" + Distribution.BUCKET + "/").length());
        String folder = path.substring(0, path.lastIndexOf('/') + 1);
        HttpResponse<String> r = api.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.gcsPort
                + "/storage/v1/b/" + Distribution.BUCKET + "/o?prefix=" + folder)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode items = JSON.readTree(r.body()).get("items");
        return items == null ? 0 : items.size();
    }
}
