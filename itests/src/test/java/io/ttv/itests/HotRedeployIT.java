package io.ttv.itests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ops change a running node while jobs flow: the routes bundle is updated ({@code bundle:update}) and a
 * configuration file is edited. The API answers again within seconds and every job ends {@code finished} exactly
 * once — none lost, none failed, none run to the end twice.
 */
class HotRedeployIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Distribution dist;

    @BeforeAll
    static void start() throws Exception {
        dist = new Distribution(Map.of("TTV_WORKER_CONCURRENCY", "2"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (dist != null) {
            dist.close();
        }
    }

    @Test
    void updatingTheRoutesBundleLosesNoJob() throws Exception {
        List<String> ids = submit(6, "redeploy");
        Processes.await("a job running", Duration.ofSeconds(60), () -> ids.stream()
                .map(id -> dist.job(id).get("status").asText()).anyMatch(s -> s.equals("started") || s.equals("progress")));

        String out = dist.console("bundle:update io.ttv.routes");
        assertTrue(!out.toLowerCase().contains("error"), out);
        long updated = System.nanoTime();
        Processes.await("the API answering after the update", Duration.ofSeconds(60), () -> {
            try {
                return dist.get("/readyz").statusCode() == 200;
            } catch (IllegalStateException restarting) {
                return false;
            }
        });
        long answeredMs = (System.nanoTime() - updated) / 1_000_000;
        System.out.println("[hot-redeploy] API ready " + answeredMs + " ms after bundle:update");
        assertTrue(answeredMs < 30_000, "ready again after " + answeredMs + " ms");

        ids.addAll(submit(2, "after redeploy"));
        assertAllFinishedOnce(ids);
    }

    @Test
    void editingAConfigurationFileAppliesItWithoutARestartAndLosesNoJob() throws Exception {
        List<String> ids = submit(4, "reconfigure");
        Path cfg = dist.karafHome.resolve("etc/ttv.api.cfg");
        Files.writeString(cfg, Files.readString(cfg).replaceAll("(?m)^rate-limit\\.burst\\s*=.*$",
                "rate-limit.burst = 77"));
        Processes.await("the new burst in RateLimit-Limit", Duration.ofSeconds(60), () -> {
            try {
                HttpResponse<String> r = dist.get("/v1/jobs?limit=1");
                return "77".equals(r.headers().firstValue("RateLimit-Limit").orElse(null));
            } catch (IllegalStateException restarting) {
                return false;
            }
        });
        assertTrue(dist.karafLog().contains("Configuration ttv.api changed"), "the change was applied live");
        assertAllFinishedOnce(ids);
    }

    private static List<String> submit(int n, String prompt) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            HttpResponse<String> r = dist.postJson("/v1/jobs", "{\"prompt\":\"" + prompt + " " + i
                    + "\",\"duration_seconds\":3}");
            assertEquals(202, r.statusCode(), r.body());
            ids.add(JSON.readTree(r.body()).get("id").asText());
        }
        return ids;
    }

    private static void assertAllFinishedOnce(List<String> ids) throws Exception {
        for (String id : ids) {
            Processes.await("job " + id + " ended", Duration.ofSeconds(240), () -> {
                String s = dist.job(id).get("status").asText();
                return s.equals("finished") || s.equals("failed") || s.equals("canceled");
            });
            JsonNode job = dist.job(id);
            assertEquals("finished", job.get("status").asText(), job.toString());
            assertTrue(job.get("attempts").asInt() <= 2, "requeued at most once: " + job);
        }
        String log = dist.karafLog();
        for (String id : ids) {
            int renders = log.split("Job " + id + ": generation with local done", -1).length - 1;
            assertEquals(1, renders, "job " + id + " was rendered to the end " + renders + " times");
        }
    }
}
