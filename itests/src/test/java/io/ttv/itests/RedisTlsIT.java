package io.ttv.itests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ttv.pipeline.testing.TestRedisTls;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The assembled node on a Redis that serves TLS only, signed by a throwaway private CA, whose {@code default} user
 * is off: {@code rediss://} with an ACL user and {@code TTV_REDIS_CA_FILE}, end to end. (A wrong CA, a wrong name
 * and a wrong password are refused: {@code RedisTlsTest} in the core.)
 */
class RedisTlsIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theNodeRunsJobsOverTlsAsAnAclUserTrustingAPrivateCa() throws Exception {
        Path work = Files.createDirectories(Path.of(System.getProperty("ttv.work")).toAbsolutePath()
                .resolve("tls-" + System.currentTimeMillis()));
        TestRedisTls pki = TestRedisTls.create(work.resolve("pki"));
        int port = Processes.freePort();
        List<String> args = new ArrayList<>(pki.redisArguments(port));
        args.addAll(List.of("--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--user", "default", "off", "--user", "ttv", "on", ">s3cret", "~*", "&*", "+@all"));
        Process redis = Processes.startRedisServer(work, "redis-tls", port, args);
        try (Distribution dist = new Distribution(Map.of(
                "TTV_REDIS_URL", "rediss://ttv:s3cret@127.0.0.1:" + port + "/0",
                "TTV_REDIS_CA_FILE", pki.ca().toString()))) {
            JsonNode ready = JSON.readTree(dist.get("/readyz").body());
            assertEquals("healthy", ready.at("/components/redis").asText(), ready.toString());

            HttpResponse<String> created = dist.postJson("/v1/jobs", "{\"prompt\":\"over TLS\",\"duration_seconds\":1}");
            assertEquals(202, created.statusCode(), created.body());
            String id = JSON.readTree(created.body()).get("id").asText();
            Processes.await("the job to finish", Duration.ofSeconds(120),
                    () -> "finished".equals(dist.job(id).get("status").asText()));

            String log = dist.karafLog();
            assertTrue(log.contains("Redis rediss://ttv:***@127.0.0.1:" + port + "/0"), "the URL is logged redacted");
            assertFalse(log.contains("s3cret"), "the password never reaches the log");
        } finally {
            Processes.stop(redis);
        }
    }
}
