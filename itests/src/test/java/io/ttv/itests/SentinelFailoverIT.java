package io.ttv.itests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.HostAndPort;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The node on a Sentinel-managed Redis (a master, two replicas, three Sentinels on loopback) while the master is
 * killed with SIGKILL under continuous job submission: every answer is 202, or 503 {@code RedisUnavailable} with
 * {@code Retry-After}; the 503s stop within 20 s without any action; pub/sub (long-poll wake-ups, cancel signals)
 * works again afterwards. With {@code TTV_REDIS_WAIT_REPLICAS=1} every job answered 202 ends {@code finished};
 * without it a job acknowledged just before the kill may be lost: the run reports how many were.
 */
class SentinelFailoverIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration MAX_OUTAGE = Duration.ofSeconds(20);
    private static final Pattern EXCHANGES = Pattern.compile(
            "(?m)^camel_exchanges_total\\{[^}]*routeId=\"([^\"]+)\"[^}]*}\\s+([0-9.eE+]+)$");

    /** One answer to a job creation: when it came, its status, and for a 503 whether it was the right one. */
    record Answer(long atNanos, int status, boolean retryable, String jobId, String body) {
    }

    @ParameterizedTest(name = "TTV_REDIS_WAIT_REPLICAS={0}")
    @ValueSource(ints = {1, 0})
    void killingTheMasterUnderLoad(int waitReplicas) throws Exception {
        Path work = Path.of(System.getProperty("ttv.work")).toAbsolutePath()
                .resolve("sentinel-" + waitReplicas + "-" + System.currentTimeMillis());
        try (SentinelGroup group = new SentinelGroup(work);
             Distribution dist = new Distribution(Map.of(
                     "TTV_REDIS_URL", group.url(),
                     "TTV_REDIS_WAIT_REPLICAS", Integer.toString(waitReplicas),
                     "TTV_REDIS_TIMEOUT_MS", "1000",
                     "TTV_RATE_LIMIT", "0",
                     "TTV_WORKER_CONCURRENCY", "2"))) {
            List<Answer> answers = new CopyOnWriteArrayList<>();
            AtomicBoolean submitting = new AtomicBoolean(true);
            Thread submitter = new Thread(() -> {
                for (int i = 0; submitting.get(); i++) {
                    answers.add(create(dist, "failover " + i));
                    sleep(200);
                }
            }, "submitter");
            submitter.start();
            Processes.await("jobs accepted before the kill", Duration.ofSeconds(60),
                    () -> answers.stream().filter(a -> a.status == 202).count() >= 5);

            long killedAt = System.nanoTime();
            HostAndPort oldMaster = group.killMaster();
            // Recovered: 5 s without a refusal, the last answer a 202.
            Processes.await("the API to accept jobs again for 5 s", Duration.ofSeconds(90), () -> {
                Answer last = answers.get(answers.size() - 1);
                long lastRefusal = answers.stream().filter(a -> a.status != 202).mapToLong(Answer::atNanos)
                        .max().orElse(killedAt);
                return last.status == 202 && last.atNanos - Math.max(lastRefusal, killedAt) > 5_000_000_000L;
            });
            submitting.set(false);
            submitter.join(30_000);

            List<Answer> wrong = answers.stream().filter(a -> !(a.status == 202 || a.status == 503 && a.retryable))
                    .toList();
            assertTrue(wrong.isEmpty(), "answers other than 202 or 503 RedisUnavailable with Retry-After: " + wrong);
            List<Answer> refused = answers.stream().filter(a -> a.status == 503).toList();
            double lastRefusalS = refused.stream().mapToLong(a -> a.atNanos - killedAt).max().orElse(0) / 1e9;
            double firstAcceptedAfterS = answers.stream()
                    .filter(a -> a.status == 202 && a.atNanos > killedAt
                            && refused.stream().allMatch(r -> r.atNanos < a.atNanos))
                    .mapToLong(a -> a.atNanos - killedAt).min().orElseThrow() / 1e9;
            assertTrue(lastRefusalS <= MAX_OUTAGE.toSeconds(), () -> "503s for " + lastRefusalS
                    + " s after the kill; the Sentinels' events:" + group.events());

            List<String> accepted = answers.stream().filter(a -> a.status == 202).map(Answer::jobId).toList();
            int lost = 0;
            for (String id : accepted) {
                Processes.await("job " + id + " to end", Duration.ofSeconds(300), () -> {
                    HttpResponse<String> r = dist.get("/v1/jobs/" + id);
                    return r.statusCode() == 404 || "finished".equals(status(r));
                });
                if (dist.get("/v1/jobs/" + id).statusCode() == 404) {
                    lost++;
                }
            }
            System.out.printf("SentinelFailoverIT TTV_REDIS_WAIT_REPLICAS=%d: master %s killed; %d creations, "
                            + "%d accepted, %d refused (503); last 503 %.1f s after the kill, first 202 after it "
                            + "%.1f s after the kill; new master %s after %d failover(s); accepted jobs lost: %d%n",
                    waitReplicas, oldMaster, answers.size(), accepted.size(), refused.size(), lastRefusalS,
                    firstAcceptedAfterS, group.master(), group.failovers(), lost);
            if (waitReplicas > 0) {
                assertEquals(0, lost, "jobs acknowledged by a replica were lost");
            }

            jobEventsWakeLongPollsAgain(dist);
            aCancelReachesTheWorkerAgain(dist);
        }
    }

    private static void jobEventsWakeLongPollsAgain(Distribution dist) throws Exception {
        double before = exchanges(dist, "intake-job-events");
        String id = JSON.readTree(dist.postJson("/v1/jobs", "{\"prompt\":\"after the failover\","
                + "\"duration_seconds\":1}").body()).get("id").asText();
        // Each long-poll answers when the job changes; the change comes through the subscription.
        Processes.await("the job to finish, seen through long-polls", Duration.ofSeconds(120),
                () -> "finished".equals(status(dist.get("/v1/jobs/" + id + "?wait=30"))));
        Processes.await("job events received by the subscription", Duration.ofSeconds(30),
                () -> exchanges(dist, "intake-job-events") > before);
    }

    private static void aCancelReachesTheWorkerAgain(Distribution dist) throws Exception {
        String id = JSON.readTree(dist.postJson("/v1/jobs", "{\"prompt\":\"cancel after the failover\","
                + "\"duration_seconds\":60}").body()).get("id").asText();
        Processes.await("job " + id + " to be rendering", Duration.ofSeconds(120),
                () -> "progress".equals(status(dist.get("/v1/jobs/" + id))));
        HttpResponse<String> canceled = dist.send(HttpRequest.newBuilder(dist.uri("/v1/jobs/" + id + "/cancel"))
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(200, canceled.statusCode(), canceled.body());
        // Logged by the cancel subscription's route only: the signal crossed Redis pub/sub to the worker.
        Processes.await("the cancel signal to reach the worker", Duration.ofSeconds(30),
                () -> dist.karafLog().contains("Job " + id + " canceled: aborting its work on this node"));
        Processes.await("the worker to abort job " + id, Duration.ofSeconds(30), () -> dist.get("/v1/jobs/" + id
                + "/logs?tail=100").body().contains("canceled while running"));
    }

    private static Answer create(Distribution dist, String prompt) {
        try {
            HttpResponse<String> r = dist.postJson("/v1/jobs", "{\"prompt\":\"" + prompt + "\",\"duration_seconds\":1}");
            long at = System.nanoTime();
            if (r.statusCode() == 202) {
                return new Answer(at, 202, false, JSON.readTree(r.body()).get("id").asText(), null);
            }
            boolean retryable = r.statusCode() == 503 && r.headers().firstValue("Retry-After").isPresent()
                    && "RedisUnavailable".equals(JSON.readTree(r.body()).path("error").asText());
            return new Answer(at, r.statusCode(), retryable, null, r.body());
        } catch (IOException | RuntimeException e) {
            return new Answer(System.nanoTime(), -1, false, null, e.toString());
        }
    }

    private static String status(HttpResponse<String> r) {
        try {
            return r.statusCode() == 200 ? JSON.readTree(r.body()).get("status").asText() : null;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Exchanges a route has completed, from the node's Prometheus metrics. */
    private static double exchanges(Distribution dist, String routeId) {
        Matcher m = EXCHANGES.matcher(dist.get("/metrics").body());
        while (m.find()) {
            if (m.group(1).equals(routeId)) {
                return Double.parseDouble(m.group(2));
            }
        }
        throw new AssertionError("no camel_exchanges_total for route " + routeId);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
