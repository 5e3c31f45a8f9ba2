package io.ttv.pipeline.core.redis;

import io.ttv.pipeline.core.app.RedisClients;
import io.ttv.pipeline.core.domain.JobStatus;
import io.ttv.pipeline.testing.TestJobs;
import io.ttv.pipeline.testing.TestRedis;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.data.redis.serializer.RedisSerializer;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.JedisClusterCRC16;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What only a Redis Cluster shows (the stores' own tests run against one too, core's {@code redis-cluster} run):
 * every key behind the one hash tag, in one slot, and pub/sub through the cluster's connection factory.
 */
class RedisClusterTest {
    @RegisterExtension
    static final TestRedis redis = TestRedis.cluster();

    @Test
    void everyKeyOfAJobsLifeIsTaggedAndInOneSlot() {
        RedisClients clients = redis.clients();
        JobStore store = new JobStore(clients.template(), clients.keys());
        AdminStore admin = new AdminStore(clients.template(), clients.keys());
        CallbackQueue callbacks = new CallbackQueue(clients.template(), clients.keys());
        String id = TestJobs.queued(store);
        store.heartbeat("w1", Duration.ofSeconds(30));
        assertEquals(id, store.claim("w1", Duration.ofSeconds(1)));
        store.transition(id, JobStatus.STARTED, null);
        store.transition(id, Transition.to(JobStatus.FAILED).log("failed").set("error", "boom"));
        clients.template().opsForHash().put(clients.keys().job(id), "callback_url", "https://hooks.example/");
        clients.template().opsForHash().put(clients.keys().job(id), "callback_events", "failed");
        assertNotNull(callbacks.enqueue(id, "failed"));
        assertEquals(JobStatus.QUEUED, admin.retryFailed(id).status());
        assertTrue(store.lease(clients.keys().reaperLock(), "node-a", Duration.ofSeconds(30)));

        Set<String> keys = clients.template().keys("*");
        assertTrue(keys.contains("{ttv}:rq:queue:default"), keys.toString());
        assertTrue(keys.contains("{ttv}:rq:job:" + id), keys.toString());
        assertTrue(keys.contains("{ttv}:rq:job:" + id + ":logs"), keys.toString());
        int slot = JedisClusterCRC16.getSlot("{ttv}");
        for (String key : keys) {
            assertTrue(key.startsWith("{ttv}:"), key);
            assertEquals(slot, JedisClusterCRC16.getSlot(key), key);
        }
        assertEquals(1, mastersHoldingKeys(), "all keys live on the master of the {ttv} slot");
    }

    private static long mastersHoldingKeys() {
        return redis.redisCluster().ports().stream().filter(port -> {
            try (Jedis node = new Jedis("127.0.0.1", port)) {
                return node.dbSize() > 0;
            }
        }).count();
    }

    @Test
    void scriptsPublishToSubscribersOfAnyNode() throws Exception {
        RedisClients clients = redis.clients();
        JobStore store = new JobStore(clients.template(), clients.keys());
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        BlockingQueue<String> cancels = new LinkedBlockingQueue<>();
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.getRegistry().bind("redisConnectionFactory", clients.connectionFactory());
            camel.getRegistry().bind("redisStringSerializer", RedisSerializer.string());
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    // The subscriptions of the intake (long-poll wake-ups) and processing (cancel signals) flows.
                    from("spring-redis://cluster?command=SUBSCRIBE&channels=" + RedisKeys.JOB_EVENTS_CHANNEL
                            + "&connectionFactory=#redisConnectionFactory&serializer=#redisStringSerializer")
                            .process(e -> events.add(e.getMessage().getBody(String.class)));
                    from("spring-redis://cluster?command=SUBSCRIBE&channels=" + RedisKeys.CANCEL_CHANNEL
                            + "&connectionFactory=#redisConnectionFactory&serializer=#redisStringSerializer")
                            .process(e -> cancels.add(e.getMessage().getBody(String.class)));
                }
            });
            camel.start();
            // Subscriptions are made asynchronously: publish until each one has received.
            String warmUp = TestJobs.queued(store);
            assertEquals(warmUp, store.claim("w1", Duration.ofSeconds(1)));
            store.transition(warmUp, JobStatus.STARTED, null);
            String first = null;
            for (int i = 0; i < 100 && first == null; i++) {
                store.transition(warmUp, JobStatus.PROGRESS, i);
                first = events.poll(100, TimeUnit.MILLISECONDS);
            }
            assertEquals(warmUp, first, "job-events reach a subscriber through the cluster");
            String ready = null;
            for (int i = 0; i < 100 && ready == null; i++) {
                clients.template().convertAndSend(RedisKeys.CANCEL_CHANNEL, "ready");
                ready = cancels.poll(100, TimeUnit.MILLISECONDS);
            }
            assertEquals("ready", ready);

            String running = TestJobs.queued(store);
            assertEquals(running, store.claim("w1", Duration.ofSeconds(1)));
            store.transition(running, JobStatus.STARTED, null);
            assertTrue(awaitMessage(events, running), "the start was published");
            assertEquals(CancelResult.Outcome.SIGNALLED, store.cancel(running).outcome());
            assertTrue(awaitMessage(cancels, running), "the cancel signal reaches the worker's subscription");
            assertTrue(awaitMessage(events, running), "the cancel's transition was published too");
        }
    }

    /** Takes messages until {@code expected} comes (true) or 10 s pass (false). */
    private static boolean awaitMessage(BlockingQueue<String> messages, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (expected.equals(messages.poll(100, TimeUnit.MILLISECONDS))) {
                return true;
            }
        }
        return false;
    }
}
