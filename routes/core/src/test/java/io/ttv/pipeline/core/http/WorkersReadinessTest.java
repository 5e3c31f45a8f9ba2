package io.ttv.pipeline.core.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ttv.pipeline.core.callback.CallbackOutbox;
import io.ttv.pipeline.core.health.ComponentChecks;
import io.ttv.pipeline.core.metrics.PipelineMetrics;
import io.ttv.pipeline.core.ops.NodeOperations;
import io.ttv.pipeline.core.redis.AdminStore;
import io.ttv.pipeline.core.redis.CallbackDeadLetters;
import io.ttv.pipeline.core.redis.CallbackQueue;
import io.ttv.pipeline.core.redis.JobStore;
import io.ttv.pipeline.core.redis.RedisKeys;
import io.ttv.pipeline.ops.PipelineOperations;
import io.ttv.pipeline.testing.TestRedis;
import org.apache.camel.Exchange;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.apache.camel.impl.health.DefaultHealthCheckRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code workers} component of {@code /readyz} (and of {@code ttv:health}) against a real Redis: on a node that
 * runs workers no live worker makes the node unready; on an api-only node (the worker pool scaled to zero) it is
 * reported unhealthy but the node stays ready, and it masks no other failing check.
 */
class WorkersReadinessTest {
    private static final Duration TTL = Duration.ofSeconds(30);

    @RegisterExtension
    static final TestRedis REDIS = TestRedis.perClass();
    private final ObjectMapper mapper = new ObjectMapper();
    private DefaultCamelContext camel;
    private JobStore jobs;

    @AfterEach
    void stop() {
        camel.stop();
    }

    @Test
    void anApiOnlyNodeWithoutWorkersIsReadyAndStillShowsTheWorkers() throws Exception {
        start(false);
        JsonNode ready = readyz(200);
        assertEquals("ready", ready.get("status").asText());
        assertEquals("unhealthy", ready.get("components").get("workers").asText());
        assertEquals("healthy", ready.get("components").get("redis").asText());
        assertTrue(ready.get("details").get("workers").asText().contains("not required"), ready.toString());

        PipelineOperations.Health health = operations().health();
        assertTrue(health.ready(), health.toString());
        assertEquals("DOWN", state(health, "workers"));

        jobs.heartbeat("w1", TTL);
        ready = readyz(200);
        assertEquals("healthy", ready.get("components").get("workers").asText());
        assertFalse(ready.has("details"), ready.toString());
    }

    @Test
    void aNodeThatRunsWorkersIsNotReadyWithoutALiveWorker() throws Exception {
        start(true);
        JsonNode notReady = readyz(503);
        assertEquals("not_ready", notReady.get("status").asText());
        assertEquals("unhealthy", notReady.get("components").get("workers").asText());
        assertEquals("no live worker heartbeat", notReady.get("details").get("workers").asText());
        assertFalse(operations().health().ready());

        jobs.heartbeat("w1", TTL);
        assertEquals("ready", readyz(200).get("status").asText());
        assertTrue(operations().health().ready());
    }

    @Test
    void onAnApiOnlyNodeAnotherFailingCheckStillMakesItUnready() throws Exception {
        start(false);
        HealthCheckRegistry.get(camel).register(new AbstractHealthCheck(ComponentChecks.GROUP, "gcs") {
            @Override
            protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
                builder.message("bucket unreachable").down();
            }
        });
        JsonNode notReady = readyz(503);
        assertEquals("unhealthy", notReady.get("components").get("gcs").asText());
        assertEquals("unhealthy", notReady.get("components").get("workers").asText());
        assertFalse(operations().health().ready());
    }

    private void start(boolean runsWorkers) throws Exception {
        jobs = new JobStore(REDIS.clients().template(), REDIS.clients().keys());
        camel = new DefaultCamelContext(false);
        HealthCheckRegistry health = new DefaultHealthCheckRegistry(camel);
        health.setExposureLevel("full");
        camel.getCamelContextExtension().addContextPlugin(HealthCheckRegistry.class, health);
        health.register(ComponentChecks.redis(jobs));
        health.register(ComponentChecks.workers(jobs, TTL, runsWorkers));
        Api api = new Api(mapper);
        camel.addRoutes(new ApiErrorConfiguration(api));
        camel.addRoutes(new OpsRoutes(api, new PipelineMetrics(jobs, TTL), "test", true, Map::of));
        camel.start();
    }

    private JsonNode readyz(int expectedStatus) throws Exception {
        Exchange answer = camel.createProducerTemplate().request(RestContract.READYZ, e -> { });
        assertEquals(expectedStatus, answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class));
        return mapper.readTree(answer.getMessage().getBody(byte[].class));
    }

    private NodeOperations operations() {
        var template = REDIS.clients().template();
        RedisKeys keys = REDIS.clients().keys();
        return new NodeOperations("api", null, jobs, new AdminStore(template, keys),
                new CallbackDeadLetters(template, keys), new CallbackOutbox(camel, new CallbackQueue(template, keys)),
                camel, routeId -> "test");
    }

    private static String state(PipelineOperations.Health health, String check) {
        return health.checks().stream().filter(c -> c.id().equals(check)).findFirst().orElseThrow().state();
    }
}
