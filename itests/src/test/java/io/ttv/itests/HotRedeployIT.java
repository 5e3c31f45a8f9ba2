package io.ttv.itests;

import com.fasterxml.jackson.core.JsonProcessingException;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ops change a running node while jobs flow. One flow bundle at a time is updated under load ({@code bundle:update}
 * of the intake bundle, then of the processing bundle, each to a new release): no request fails, every job ends
 * {@code finished} exactly once, the new version answers within 2 s, and the flows that were not updated keep running
 * (their routes are never restarted: exchange counters and uptime only grow). Configuration files are edited too.
 */
class HotRedeployIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern UPTIME_PART = Pattern.compile("(\\d+)(ms|d|h|m|s)");
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
    void updatingOneFlowBundleAtATimeUnderLoadFailsNothingAndLeavesTheOtherFlowsRunning() throws Exception {
        Load load = new Load();
        Thread generator = new Thread(load, "load");
        generator.start();
        Processes.await("load running", Duration.ofSeconds(30), () -> load.accepted.size() >= 20);

        Redeploy intake = update("ttv-flow-intake", "io.ttv.flow.intake", "intake", load,
                List.of("processing-run-job", "queue-claim-1"));
        Processes.await("load after the intake update", Duration.ofSeconds(30),
                () -> load.accepted.size() >= intake.acceptedBefore() + 40);
        Redeploy processing = update("ttv-flow-processing", "io.ttv.flow.processing", "processing", load,
                List.of("intake-create-job", "intake-get-job"));
        Processes.await("load after the processing update", Duration.ofSeconds(30),
                () -> load.accepted.size() >= processing.acceptedBefore() + 40);
        load.stop = true;
        generator.join(30_000);

        System.out.printf("[hot-redeploy] %d jobs accepted, %d requests (create and read) failed, longest gap "
                        + "without an accepted job %d ms; new intake answered %d ms and new processing %d ms after "
                        + "Karaf began bundle:update (%d ms and %d ms after the console command was sent)%n",
                load.accepted.size(), load.failed.size(), load.longestGapMs, intake.fromUpdateMs(),
                processing.fromUpdateMs(), intake.fromCommandMs(), processing.fromCommandMs());
        assertEquals(List.of(), load.failed, "no request fails while a flow is replaced");
        assertTrue(intake.fromUpdateMs() <= 2_000, "new intake answering " + intake);
        assertTrue(processing.fromUpdateMs() <= 2_000, "new processing answering " + processing);
        assertAllFinishedOnce(load.accepted, 1);
    }

    /**
     * Times of one update until {@code /} reports the new version of the flow: from the console command being sent
     * (includes starting bin/client and its SSH handshake) and from Karaf beginning the update (the core logging
     * that it removes the old routes).
     */
    private record Redeploy(long fromCommandMs, long fromUpdateMs, int acceptedBefore) {
    }

    /**
     * Updates a flow bundle to a new release under load, waits until {@code /} reports the flow's new version, and
     * checks that the routes of the other flows ran on throughout: their totals and uptimes never went down.
     */
    private static Redeploy update(String artifact, String symbolicName, String flow, Load load,
                                   List<String> untouched) throws Exception {
        Path installed;
        try (Stream<Path> files = Files.walk(dist.karafHome.resolve("system/io/ttv/" + artifact))) {
            installed = files.filter(f -> f.toString().endsWith(".jar")).findFirst().orElseThrow();
        }
        String version = "0.1.0.redeploy-" + flow;
        Path changed = withBundleVersion(installed, dist.work.resolve(artifact + "-redeploy.jar"), version);
        Map<String, long[]> before = routeStats(untouched);
        int acceptedBefore = load.accepted.size();

        Instant sent = Instant.now();
        String out = dist.console("bundle:update " + symbolicName + " " + changed.toUri());
        assertFalse(out.toLowerCase().contains("error"), out);
        Processes.await(flow + " " + version + " answering", Duration.ofSeconds(60), () -> {
            HttpResponse<String> r = dist.get("/");
            try {
                return r.statusCode() == 200 && JSON.readTree(r.body()).path("flows").path(flow).asText()
                        .equals(symbolicName + " " + version);
            } catch (JsonProcessingException notJson) {
                return false;
            }
        });
        Instant answered = Instant.now();
        Instant updateBegan = dist.karafLog().lines()
                .filter(line -> line.contains("Removing flow " + flow + " "))
                .map(HotRedeployIT::loggedAt)
                .filter(t -> !t.isBefore(sent.truncatedTo(ChronoUnit.MILLIS)))
                .findFirst().orElseThrow(() -> new AssertionError("no removal of the old " + flow + " routes logged"));

        Processes.await("load served by the new " + flow, Duration.ofSeconds(30),
                () -> load.accepted.size() >= acceptedBefore + 10);
        Map<String, long[]> after = routeStats(untouched);
        for (String route : untouched) {
            assertTrue(after.get(route)[0] > before.get(route)[0], route + " kept counting exchanges: "
                    + before.get(route)[0] + " -> " + after.get(route)[0]);
            assertTrue(after.get(route)[1] >= before.get(route)[1] + Duration.between(sent, answered).toSeconds(),
                    route + " was not restarted: uptime " + before.get(route)[1] + " s -> " + after.get(route)[1]
                            + " s");
        }
        return new Redeploy(Duration.between(sent, answered).toMillis(),
                Duration.between(updateBegan, answered).toMillis(), acceptedBefore);
    }

    /** Route → {exchanges total, uptime in seconds}, from {@code ttv:routes}. */
    private static Map<String, long[]> routeStats(List<String> routes) throws Exception {
        String table = dist.console("ttv:routes");
        Map<String, long[]> out = new HashMap<>();
        for (String line : table.split("\n")) {
            String[] cells = line.split("\\s*│\\s*|\\s*\\|\\s*");
            if (cells.length >= 7 && routes.contains(cells[0].trim())) {
                out.put(cells[0].trim(), new long[] {Long.parseLong(cells[2].trim()), uptimeSeconds(cells[6].trim())});
            }
        }
        assertEquals(Set.copyOf(routes), out.keySet(), table);
        return out;
    }

    /** Camel's uptime text ({@code 1h2m3s}, {@code 45s}, {@code 820ms}) in whole seconds. */
    private static long uptimeSeconds(String text) {
        long seconds = 0;
        Matcher m = UPTIME_PART.matcher(text);
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            seconds += switch (m.group(2)) {
                case "d" -> n * 86_400;
                case "h" -> n * 3_600;
                case "m" -> n * 60;
                case "s" -> n;
                default -> 0;
            };
        }
        return seconds;
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

    /**
     * Submits a one-second job every 100 ms and reads it back, until stopped, recording every request that did not
     * get its answer (202, then 200) and the longest gap between 202s.
     */
    private static final class Load implements Runnable {
        final List<String> accepted = new CopyOnWriteArrayList<>();
        final List<String> failed = new CopyOnWriteArrayList<>();
        volatile boolean stop;
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
                        String id = JSON.readTree(r.body()).get("id").asText();
                        accepted.add(id);
                        longestGapMs = Math.max(longestGapMs, (System.nanoTime() - lastOk) / 1_000_000);
                        lastOk = System.nanoTime();
                        HttpResponse<String> read = dist.get("/v1/jobs/" + id);
                        if (read.statusCode() != 200) {
                            failed.add("GET " + id + ": " + read.statusCode() + " " + read.body());
                        }
                    } else {
                        failed.add("POST: " + r.statusCode() + " " + r.body());
                    }
                } catch (Exception refused) {
                    failed.add(refused.toString());
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
        assertAllFinishedOnce(ids, 2);
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

    /** Every job finished, rendered to the end once, after at most {@code maxAttempts} starts. */
    private static void assertAllFinishedOnce(List<String> ids, int maxAttempts) throws Exception {
        for (String id : ids) {
            Processes.await("job " + id + " ended", Duration.ofSeconds(240), () -> {
                String s = dist.job(id).get("status").asText();
                return s.equals("finished") || s.equals("failed") || s.equals("canceled");
            });
            JsonNode job = dist.job(id);
            assertEquals("finished", job.get("status").asText(), job.toString());
            assertTrue(job.get("attempts").asInt() <= maxAttempts, "started at most " + maxAttempts + " times: " + job);
        }
        String log = dist.karafLog();
        for (String id : ids) {
            int renders = log.split("Job " + id + ": generation with local done", -1).length - 1;
            assertEquals(1, renders, "job " + id + " was rendered to the end " + renders + " times");
        }
    }
}
