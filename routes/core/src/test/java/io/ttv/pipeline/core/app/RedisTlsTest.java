package io.ttv.pipeline.core.app;

import io.ttv.pipeline.core.config.PipelineConfig;
import io.ttv.pipeline.core.redis.JobStore;
import io.ttv.pipeline.core.redis.RedisKeys;
import io.ttv.pipeline.testing.RedisProcess;
import io.ttv.pipeline.testing.TestJobs;
import io.ttv.pipeline.testing.TestRedisTls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.dao.DataAccessException;

import javax.net.ssl.SSLHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code rediss://} against a real Redis serving TLS only on loopback, with a throwaway private CA and an ACL user
 * (the {@code default} user is off, so nothing works without the URL's user and password).
 */
class RedisTlsTest {
    @TempDir
    static Path dir;
    private static TestRedisTls pki;
    private static TestRedisTls otherPki;
    private static RedisProcess redis;

    @BeforeAll
    static void startRedis() throws Exception {
        pki = TestRedisTls.create(dir.resolve("pki"));
        otherPki = TestRedisTls.create(dir.resolve("other-pki"));
        int port = RedisProcess.freePort();
        List<String> args = new ArrayList<>(pki.redisArguments(port));
        // Also on 127.0.0.2, an address the server's certificate does not name.
        args.addAll(List.of("--bind", "127.0.0.1", "127.0.0.2", "--save", "", "--appendonly", "no",
                "--user", "default", "off", "--user", "ttv", "on", ">s3cret", "~*", "&*", "+@all"));
        redis = RedisProcess.start(dir, "redis-tls", port, args);
    }

    @AfterAll
    static void stopRedis() throws InterruptedException {
        if (redis != null) {
            redis.close();
        }
    }

    private static RedisClients clients(String userInfo, Path caFile) {
        return clients(userInfo, "127.0.0.1", caFile);
    }

    private static RedisClients clients(String userInfo, String host, Path caFile) {
        Map<String, String> env = new HashMap<>();
        env.put("TTV_REDIS_URL", "rediss://" + userInfo + "@" + host + ":" + redis.port() + "/0");
        if (caFile != null) {
            env.put("TTV_REDIS_CA_FILE", caFile.toString());
        }
        env.put("TTV_REDIS_TIMEOUT_MS", "5000");
        return new RedisClients(PipelineConfig.resolve(Map.of(), env), 2);
    }

    @Test
    void jobsAreStoredOverTlsAsTheUrlsAclUserWithThePrivateCa() {
        try (RedisClients clients = clients("ttv:s3cret", pki.ca())) {
            JobStore store = new JobStore(clients.template(), RedisKeys.STANDARD);
            String id = TestJobs.queued(store);
            assertEquals("queued", store.get(id).get("status"));
            Object whoami = clients.template().execute(
                    (org.springframework.data.redis.core.RedisCallback<Object>) c -> c.execute("ACL",
                            "WHOAMI".getBytes(StandardCharsets.US_ASCII)));
            assertEquals("ttv", new String((byte[]) whoami, StandardCharsets.UTF_8));
        }
    }

    @Test
    void aServerCertificateFromAnotherAuthorityIsRefused() {
        try (RedisClients clients = clients("ttv:s3cret", otherPki.ca())) {
            DataAccessException e = assertThrows(DataAccessException.class,
                    () -> new JobStore(clients.template(), RedisKeys.STANDARD).queueDepth());
            assertTrue(causedBy(e, SSLHandshakeException.class), () -> "not a TLS handshake failure: " + e);
        }
    }

    @Test
    void withoutTheCaFileTheJvmTrustStoreDoesNotKnowThePrivateCa() {
        try (RedisClients clients = clients("ttv:s3cret", null)) {
            DataAccessException e = assertThrows(DataAccessException.class,
                    () -> new JobStore(clients.template(), RedisKeys.STANDARD).queueDepth());
            assertTrue(causedBy(e, SSLHandshakeException.class), () -> "not a TLS handshake failure: " + e);
        }
    }

    @Test
    void aCertificateThatDoesNotNameTheHostIsRefused() {
        try (RedisClients clients = clients("ttv:s3cret", "127.0.0.2", pki.ca())) {
            DataAccessException e = assertThrows(DataAccessException.class,
                    () -> new JobStore(clients.template(), RedisKeys.STANDARD).queueDepth());
            assertTrue(causedBy(e, SSLHandshakeException.class), () -> "not a TLS handshake failure: " + e);
            assertTrue(messages(e).contains("127.0.0.2"), () -> messages(e));
        }
    }

    @Test
    void aWrongPasswordIsRefusedByTheServer() {
        try (RedisClients clients = clients("ttv:wrong", pki.ca())) {
            DataAccessException e = assertThrows(DataAccessException.class,
                    () -> new JobStore(clients.template(), RedisKeys.STANDARD).queueDepth());
            assertTrue(messages(e).contains("WRONGPASS"), () -> "not an authentication failure: " + messages(e));
        }
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String messages(Throwable e) {
        StringBuilder s = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            s.append(t).append(" / ");
        }
        return s.toString();
    }
}
