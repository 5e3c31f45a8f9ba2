package io.ttv.itests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ops change a running node while jobs flow: the routes bundle is updated twice under load ({@code bundle:update}
 * to a new release and back) and configuration files are edited. The API answers again within seconds and every job ends {@code finished} exactly
 * once — none lost, none failed, none run to the end twice.
 */
class HotRedeployIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Distribution dist;

    @BeforeAll
    static void start() throws Exception {
        // The load (10 submissions/s plus polling) must not be throttled; the limiter stays on for the reload test.
        dist = new Distribution(Map.of("TTV_RATE_LIMIT", "1000000"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (dist != null) {
            dist.close();
        }
    }

    @Test
    void redeployingTheRoutesBundleTwiceUnderLoadLosesNoJob() throws Exception {
        Path installed;
        try (Stream<Path> files = Files.walk(dist.karafHome.resolve("system/io/ttv/ttv-routes"))) {
            installed = files.filter(f -> f.toString().endsWith(".jar")).findFirst().orElseThrow();
        }
        String before = JSON.readTree(dist.get("/").body()).get("version").asText();
        Path changed = withBundleVersion(installed, dist.work.resolve("ttv-routes-redeploy.jar"), "0.1.0.redeploy");

        Load load = new Load();
        Thread generator = new Thread(load, "load");
        generator.start();
        Processes.await("load running", Duration.ofSeconds(30), () -> load.accepted.size() >= 20);

        Redeploy toNew = update(changed, "0.1.0.redeploy");
        Processes.await("load after the first update", Duration.ofSeconds(30), () -> load.accepted.size() >= 120);
        Redeploy toOld = update(installed, before);
        Processes.await("load after the second update", Duration.ofSeconds(30), () -> load.accepted.size() >= 220);
        load.stop = true;
        generator.join(30_000);

        System.out.printf("[hot-redeploy] %d jobs accepted, %d requests failed, longest gap without an accepted job "
                        + "%d ms; new version answered %d ms and %d ms after Karaf began bundle:update (%d ms and "
                        + "%d ms after the console command was sent)%n", load.accepted.size(), load.failed,
                load.longestGapMs, toNew.fromUpdateMs(), toOld.fromUpdateMs(), toNew.fromCommandMs(),
                toOld.fromCommandMs());
        assertTrue(toNew.fromUpdateMs() <= 5_000 && toOld.fromUpdateMs() <= 5_000,
                "new behaviour " + toNew + " / " + toOld);
        assertAllFinishedOnce(load.accepted);
    }

    /**
     * Times of one update until {@code /} reports the new version: from the console command being sent (includes
     * starting bin/client and its SSH handshake) and from Karaf beginning the update (the old routes being stopped).
     */
    private record Redeploy(long fromCommandMs, long fromUpdateMs) {
    }

    /** Updates the routes bundle from {@code jar} and waits until {@code /} reports {@code version}. */
    private static Redeploy update(Path jar, String version) throws Exception {
        Instant sent = Instant.now();
        String out = dist.console("bundle:update -r io.ttv.routes " + jar.toUri());
        assertFalse(out.toLowerCase().contains("error"), out);
        Processes.await("version " + version + " answering", Duration.ofSeconds(60), () -> {
            try {
                HttpResponse<String> r = dist.get("/");
                return r.statusCode() == 200 && JSON.readTree(r.body()).get("version").asText().equals(version);
            } catch (Exception restarting) {
                return false;
            }
        });
        Instant answered = Instant.now();
        Instant updateBegan = dist.karafLog().lines()
                .filter(line -> line.contains("Stopping TTV Pipeline"))
                .map(HotRedeployIT::loggedAt)
                .filter(t -> !t.isBefore(sent.truncatedTo(ChronoUnit.MILLIS)))
                .findFirst().orElseThrow(() -> new AssertionError("no stop of the old routes logged"));
        return new Redeploy(Duration.between(sent, answered).toMillis(),
                Duration.between(updateBegan, answered).toMillis());
    }

    private static Instant loggedAt(String jsonLogLine) {
        try {
            return Instant.parse(JSON.readTree(jsonLogLine).get("timestamp").asText());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A copy of the bundle jar whose manifest says {@code version}: the "new release" to deploy. */
    private static Path withBundleVersion(Path jar, Path copy, String version) throws Exception {
        try (JarInputStream in = new JarInputStream(Files.newInputStream(jar))) {
            Manifest manifest = new Manifest(in.getManifest());
            manifest.getMainAttributes().putValue("Bundle-Version", version);
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(copy), manifest)) {
                for (JarEntry e = in.getNextJarEntry(); e != null; e = in.getNextJarEntry()) {
                    out.putNextEntry(new JarEntry(e.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        }
        return copy;
    }

    /** Submits a one-second job every 100 ms until stopped, counting refusals and the longest gap between 202s. */
    private static final class Load implements Runnable {
        final List<String> accepted = new CopyOnWriteArrayList<>();
        volatile boolean stop;
        volatile int failed;
        volatile long longestGapMs;

        @Override
        public void run() {
            long lastOk = System.nanoTime();
            int i = 0;
            while (!stop) {
                long sent = System.nanoTime();
                try {
                    HttpResponse<String> r = dist.postJson("/v1/jobs", "{\"prompt\":\"load " + i++
                            + "\",\"duration_seconds\":1,\"aspect_ratio\":\"1:1\"}");
                    if (r.statusCode() == 202) {
                        accepted.add(JSON.readTree(r.body()).get("id").asText());
                        longestGapMs = Math.max(longestGapMs, (System.nanoTime() - lastOk) / 1_000_000);
                        lastOk = System.nanoTime();
                    } else {
                        failed++;
                    }
                } catch (Exception refused) {
                    failed++;
                }
                LockSupport.parkNanos(Math.max(0, 100_000_000 - (System.nanoTime() - sent)));
            }
        }
    }

    @Test
    void editingAConfigurationFileAppliesItWithoutARestartAndLosesNoJob() throws Exception {
        List<String> ids = submit(4, "reconfigure");
        Path api = dist.karafHome.resolve("etc/ttv.api.cfg");
        Files.writeString(api, Files.readString(api).replaceAll("(?m)^rate-limit\\.burst\\s*=.*$",
                "rate-limit.burst = 77"));
        Path worker = dist.karafHome.resolve("etc/ttv.worker.cfg");
        Files.writeString(worker, Files.readString(worker).replaceAll("(?m)^concurrency\\s*=.*$", "concurrency = 3"));
        Processes.await("the new burst in RateLimit-Limit", Duration.ofSeconds(60), () -> {
            try {
                HttpResponse<String> r = dist.get("/v1/jobs?limit=1");
                return "77".equals(r.headers().firstValue("RateLimit-Limit").orElse(null));
            } catch (IllegalStateException restarting) {
                return false;
            }
        });
        assertTrue(dist.karafLog().contains("Configuration ttv.api changed"), "the change was applied live");
        Processes.await("a third claim loop", Duration.ofSeconds(60),
                () -> consoleQuietly("ttv:routes").contains("queue-claim-3"));
        assertAllFinishedOnce(ids);
    }

    private static String consoleQuietly(String command) {
        try {
            return dist.console(command);
        } catch (Exception e) {
            return "";
        }
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
