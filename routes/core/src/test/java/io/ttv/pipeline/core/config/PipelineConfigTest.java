package io.ttv.pipeline.core.config;

import org.junit.jupiter.api.Test;

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
    void redisClusterUrlListsItsSeedNodesWithOneSetOfCredentials() {
        RedisUrl u = RedisUrl.parse("redis-cluster://ttv:p%40ss@10.0.0.1:7000,10.0.0.2:7001, 10.0.0.3:7002");
        assertTrue(u.cluster());
        assertEquals(List.of("10.0.0.1:7000", "10.0.0.2:7001", "10.0.0.3:7002"), u.clusterNodes());
        assertEquals("ttv", u.username());
        assertEquals("p@ss", u.password());
        assertEquals("redis-cluster://***@10.0.0.1:7000,10.0.0.2:7001,10.0.0.3:7002", u.redacted());
        assertFalse(RedisUrl.parse("redis://127.0.0.1:6379/0").cluster());
        assertEquals(List.of("h1:6379"), RedisUrl.parse("redis-cluster://h1/0").clusterNodes());
        for (String bad : new String[] {"redis-cluster://", "redis-cluster://h1:7000,,h2:7001",
                "redis-cluster://h1:7000,h2:7001/1", "redis-cluster://:secret@h1:x"}) {
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
}
