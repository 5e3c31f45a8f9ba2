package io.ttv.pipeline.core.config;

import io.ttv.pipeline.testing.TestRedisTls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PipelineConfigTest {

    @Test
    void defaultsApplyWhenNothingIsSet() {
        PipelineConfig c = PipelineConfig.resolve(Map.of(), Map.of());
        assertEquals(8000, c.httpPort());
        assertEquals("127.0.0.1", c.redisUrl().host());
        assertEquals(6379, c.redisUrl().port());
        assertEquals(PipelineConfig.Role.ALL, c.role());
        assertEquals(2, c.workerConcurrency());
        assertEquals("ttv-api-artifacts", c.gcsBucket());
        assertEquals("ttv-api", c.gcsPrefix());
        assertFalse(c.usesGcsEmulator());
        assertNull(c.gcsCredentials());
        assertEquals("local", c.defaultGenerator());
        assertTrue(c.apiKeys().isEmpty());
    }

    @Test
    void environmentOverridesTheCfgFileWhichOverridesTheDefault() {
        Map<String, Map<String, Object>> pids = Map.of(
                "ttv.api", Map.of("http.port", "9001"),
                "ttv.worker", Map.of("role", "worker", "concurrency", "4"));
        PipelineConfig c = PipelineConfig.resolve(pids, Map.of("TTV_HTTP_PORT", "9002"));
        assertEquals(9002, c.httpPort());
        assertEquals(PipelineConfig.Role.WORKER, c.role());
        assertEquals(4, c.workerConcurrency());
        assertFalse(c.role().runsApi());
        assertTrue(c.role().runsWorkers());
    }

    @Test
    void invalidValueNamesTheVariableAndItsSource() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> PipelineConfig.resolve(Map.of(), Map.of("TTV_WORKER_CONCURRENCY", "lots")));
        assertTrue(e.getMessage().contains("TTV_WORKER_CONCURRENCY"), e.getMessage());
        assertTrue(e.getMessage().contains("environment variable"), e.getMessage());

        ConfigException fromFile = assertThrows(ConfigException.class,
                () -> PipelineConfig.resolve(Map.of("ttv.api", Map.of("http.port", "70000")), Map.of()));
        assertTrue(fromFile.getMessage().contains("TTV_HTTP_PORT"), fromFile.getMessage());
        assertTrue(fromFile.getMessage().contains("etc/ttv.api.cfg"), fromFile.getMessage());
    }

    @Test
    void secretsAreNotEchoedInErrors() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> PipelineConfig.resolve(Map.of(), Map.of("TTV_REDIS_URL", "http://:hunter2@redis:6379")));
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    @Test
    void redisUrlCarriesPasswordDatabaseAndTls() {
        RedisUrl u = RedisUrl.parse("rediss://:p%40ss@cache.example:6380/3");
        assertEquals("cache.example", u.host());
        assertEquals(6380, u.port());
        assertEquals(3, u.database());
        assertEquals("p@ss", u.password());
        assertNull(u.username());
        assertTrue(u.tls());
        assertFalse(u.redacted().contains("p@ss"));
        assertThrows(IllegalArgumentException.class, () -> RedisUrl.parse("redis://host:6379/x"));
    }

    @Test
    void sentinelUrlNamesTheSentinelsTheMasterAndBothCredentials() {
        RedisUrl u = RedisUrl.parse("redis-sentinel://app:p%40ss@h1:26379,h2,[::1]:26380/2?sentinelMasterId=mymaster"
                + "&sentinelUsername=watch&sentinelPassword=s3nt");
        assertEquals(RedisUrl.Mode.SENTINEL, u.mode());
        assertEquals(List.of(new RedisUrl.Node("h1", 26379), new RedisUrl.Node("h2", 26379),
                new RedisUrl.Node("::1", 26380)), u.nodes());
        assertEquals(2, u.database());
        assertEquals("app", u.username());
        assertEquals("p@ss", u.password());
        assertEquals(new RedisUrl.Sentinel("mymaster", "watch", "s3nt"), u.sentinel());
        assertFalse(u.tls());
        assertEquals("redis-sentinel://app:***@h1:26379,h2:26379,[::1]:26380/2?sentinelMasterId=mymaster"
                + "&sentinelUsername=watch&sentinelPassword=***", u.redacted());
        assertTrue(RedisUrl.parse("rediss-sentinel://h1/0?sentinelMasterId=m").tls());
        assertEquals(RedisUrl.Mode.STANDALONE, RedisUrl.parse("redis://h").mode());
    }

    @Test
    void malformedRedisUrlsAreRefusedWithTheReason() {
        Map<String, String> reasons = Map.of(
                "redis-sentinel://h1:26379,h2:26379/0", "sentinelMasterId",
                "redis://h1,h2", "names one server",
                "redis://h:99999", "port",
                "redis-sentinel://h1,/0?sentinelMasterId=m", "host is missing",
                "redis://h?sentinelMasterId=m", "unknown parameter",
                "redis-sentinel://h?sentinelMasterId=m&timeout=5", "unknown parameter",
                "sentinel://h", "scheme");
        reasons.forEach((url, reason) -> {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> PipelineConfig.resolve(Map.of(), Map.of("TTV_REDIS_URL", url)), url);
            assertTrue(e.getMessage().startsWith("Invalid configuration: TTV_REDIS_URL"), e.getMessage());
            assertTrue(e.getMessage().contains(reason), e.getMessage());
        });
        ConfigException e = assertThrows(ConfigException.class, () -> PipelineConfig.resolve(Map.of(),
                Map.of("TTV_REDIS_URL", "redis-sentinel://:hunter2@h?sentinelPassword=hunter3")));
        assertFalse(e.getMessage().contains("hunter"), e.getMessage());
    }

    @Test
    void waitReplicasAndCaFileAreValidated(@TempDir Path dir)
            throws Exception {
        assertEquals(0, PipelineConfig.resolve(Map.of(), Map.of()).redisWaitReplicas());
        assertEquals(2, PipelineConfig.resolve(Map.of(), Map.of("TTV_REDIS_WAIT_REPLICAS", "2")).redisWaitReplicas());
        assertThrows(ConfigException.class,
                () -> PipelineConfig.resolve(Map.of(), Map.of("TTV_REDIS_WAIT_REPLICAS", "-1")));
        Path notPem = Files.writeString(dir.resolve("ca.pem"), "not a certificate");
        ConfigException e = assertThrows(ConfigException.class, () -> PipelineConfig.resolve(Map.of(), Map.of(
                "TTV_REDIS_URL", "rediss://h", "TTV_REDIS_CA_FILE", notPem.toString())));
        assertTrue(e.getMessage().contains("TTV_REDIS_CA_FILE"), e.getMessage());
        Path pem = TestRedisTls.create(dir.resolve("pki")).ca();
        assertEquals(pem, PipelineConfig.resolve(Map.of(), Map.of("TTV_REDIS_URL", "rediss://h",
                "TTV_REDIS_CA_FILE", pem.toString())).redisCaFile());
        e = assertThrows(ConfigException.class, () -> PipelineConfig.resolve(Map.of(), Map.of(
                "TTV_REDIS_URL", "redis://h", "TTV_REDIS_CA_FILE", pem.toString())));
        assertTrue(e.getMessage().contains("TTV_REDIS_CA_FILE is set but TTV_REDIS_URL does not use TLS"),
                e.getMessage());
        e = assertThrows(ConfigException.class, () -> PipelineConfig.resolve(Map.of(), Map.of(
                "TTV_REDIS_URL", "redis-cluster://h1:7000", "TTV_REDIS_WAIT_REPLICAS", "1")));
        assertTrue(e.getMessage().contains("TTV_REDIS_WAIT_REPLICAS"), e.getMessage());
    }

    @Test
    void redisClusterUrlListsItsSeedNodesWithOneSetOfCredentials() {
        RedisUrl u = RedisUrl.parse("redis-cluster://ttv:p%40ss@10.0.0.1:7000,10.0.0.2:7001,10.0.0.3:7002");
        assertTrue(u.cluster());
        assertEquals(List.of("10.0.0.1:7000", "10.0.0.2:7001", "10.0.0.3:7002"), u.nodes().stream().map(RedisUrl.Node::toString).toList());
        assertEquals("ttv", u.username());
        assertEquals("p@ss", u.password());
        assertEquals("redis-cluster://ttv:***@10.0.0.1:7000,10.0.0.2:7001,10.0.0.3:7002/0", u.redacted());
        assertFalse(RedisUrl.parse("redis://127.0.0.1:6379/0").cluster());
        assertEquals(List.of("h1:6379"), RedisUrl.parse("redis-cluster://h1/0").nodes().stream().map(RedisUrl.Node::toString).toList());
        for (String bad : new String[] {"redis-cluster://", "redis-cluster://h1:7000,,h2:7001",
                "redis-cluster://h1:7000,h2:7001/1", "redis-cluster://:secret@h1:x", "rediss-cluster://h1:7000"}) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> PipelineConfig.resolve(Map.of(), Map.of("TTV_REDIS_URL", bad)), bad);
            assertTrue(e.getMessage().contains("TTV_REDIS_URL"), e.getMessage());
            assertFalse(e.getMessage().contains("secret"), e.getMessage());
        }
    }

    @Test
    void jobRetentionIsADurationInMinutesHoursOrDaysOrZeroForForever() {
        assertEquals(java.time.Duration.ofDays(30), PipelineConfig.resolve(Map.of(), Map.of()).jobRetention());
        assertEquals(java.time.Duration.ofHours(12),
                PipelineConfig.resolve(Map.of(), Map.of("TTV_JOB_RETENTION", " 12H ")).jobRetention());
        assertEquals(java.time.Duration.ofMinutes(90), PipelineConfig.resolve(
                Map.of("ttv.queue", Map.of("job.retention", "90m")), Map.of()).jobRetention());
        assertEquals(java.time.Duration.ZERO,
                PipelineConfig.resolve(Map.of(), Map.of("TTV_JOB_RETENTION", "0")).jobRetention());
        for (String bad : new String[] {"30", "0d", "-1d", "30 days", "2w", "36501d", ""}) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> PipelineConfig.resolve(Map.of(), Map.of("TTV_JOB_RETENTION", bad)), bad);
            assertTrue(e.getMessage().contains("TTV_JOB_RETENTION"), e.getMessage());
        }
    }

    @Test
    void gcsSettingsAreNormalised() {
        PipelineConfig c = PipelineConfig.resolve(Map.of(), Map.of(
                "TTV_GCS_ENDPOINT", "http://127.0.0.1:9199/", "TTV_GCS_PREFIX", "/videos/"));
        assertEquals("http://127.0.0.1:9199", c.gcsEndpoint());
        assertEquals("videos", c.gcsPrefix());
        assertTrue(c.usesGcsEmulator());
        assertThrows(ConfigException.class, () -> PipelineConfig.resolve(Map.of(), Map.of("TTV_GCS_BUCKET", "Bad Bucket")));
        assertThrows(ConfigException.class,
                () -> PipelineConfig.resolve(Map.of(), Map.of("TTV_GCS_CREDENTIALS", "/nonexistent/key.json")));
    }

    @Test
    void httpsNeedsBothFilesAndIsOffByDefault(@TempDir Path dir) throws Exception {
        assertFalse(PipelineConfig.resolve(Map.of(), Map.of()).https());
        Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
        Path key = Files.writeString(dir.resolve("key.pem"), "x");
        PipelineConfig c = PipelineConfig.resolve(Map.of("ttv.api", Map.of("tls.cert.file", cert.toString())),
                Map.of("TTV_TLS_KEY_FILE", key.toString()));
        assertTrue(c.https());
        assertEquals(new TlsSettings(cert, key, Duration.ofSeconds(30)), c.tls());

        ConfigException onlyCert = assertThrows(ConfigException.class,
                () -> PipelineConfig.resolve(Map.of(), Map.of("TTV_TLS_CERT_FILE", cert.toString())));
        assertTrue(onlyCert.getMessage().startsWith("Invalid configuration: TTV_TLS_KEY_FILE must be set when "
                + "TTV_TLS_CERT_FILE is"), onlyCert.getMessage());
        ConfigException onlyKey = assertThrows(ConfigException.class,
                () -> PipelineConfig.resolve(Map.of(), Map.of("TTV_TLS_KEY_FILE", key.toString())));
        assertTrue(onlyKey.getMessage().startsWith("Invalid configuration: TTV_TLS_CERT_FILE must be set when "
                + "TTV_TLS_KEY_FILE is"), onlyKey.getMessage());
        ConfigException missing = assertThrows(ConfigException.class, () -> PipelineConfig.resolve(Map.of(),
                Map.of("TTV_TLS_CERT_FILE", dir.resolve("absent.pem").toString(), "TTV_TLS_KEY_FILE", key.toString())));
        assertTrue(missing.getMessage().startsWith("Invalid configuration: TTV_TLS_CERT_FILE (environment variable"),
                missing.getMessage());
        assertTrue(missing.getMessage().contains("does not exist or is not readable"), missing.getMessage());
    }

    @Test
    void aRenewedCertificateIsPickedUpWithinAMinuteWhateverTheReloadInterval(@TempDir Path dir) throws Exception {
        // A change is read at the next poll at the latest, and loading it takes well under the 10 s left.
        assertTrue(TlsSettings.MAX_RELOAD_SECONDS + 10 <= 60);
        Path file = Files.writeString(dir.resolve("cert.pem"), "x");
        Map<String, String> https = Map.of("TTV_TLS_CERT_FILE", file.toString(), "TTV_TLS_KEY_FILE", file.toString());
        assertTrue(PipelineConfig.resolve(Map.of(), https).tls().reloadInterval().toSeconds()
                <= TlsSettings.MAX_RELOAD_SECONDS, "the default");
        Map<String, String> slowest = new HashMap<>(https);
        slowest.put("TTV_TLS_RELOAD_SECONDS", Integer.toString(TlsSettings.MAX_RELOAD_SECONDS));
        assertEquals(Duration.ofSeconds(TlsSettings.MAX_RELOAD_SECONDS),
                PipelineConfig.resolve(Map.of(), slowest).tls().reloadInterval());
        for (String bad : new String[] {"0", "51", "61", "soon"}) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> PipelineConfig.resolve(Map.of(), Map.of("TTV_TLS_RELOAD_SECONDS", bad)), bad);
            assertTrue(e.getMessage().contains("TTV_TLS_RELOAD_SECONDS"), e.getMessage());
        }
    }
}
