package io.ttv.pipeline.testing;

import io.ttv.pipeline.core.app.RedisClients;
import io.ttv.pipeline.core.config.PipelineConfig;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.embedded.RedisServer;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;

/**
 * A real Redis server on a free loopback port and the product's clients for it, for plain-JVM tests. Registered as
 * a static {@code @RegisterExtension} field, it starts before the class's {@code @BeforeAll} methods, empties the
 * database before each test (so that each test sees only its own keys) and stops after the class.
 * <p>
 * With the system property {@value #KIND_PROPERTY}{@code =cluster} (core's {@code redis-cluster} test run) or
 * {@link #cluster()}, it is a three-master Redis Cluster ({@link TestRedisCluster}) instead, and the clients use
 * its {@code redis-cluster://} URL.
 */
public final class TestRedis implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {
    /** System property choosing the Redis of {@link #perClass}: {@code standalone} (default) or {@code cluster}. */
    public static final String KIND_PROPERTY = "ttv.test.redis";

    private final Map<String, String> env;
    private final boolean cluster;
    private RedisServer server;
    private TestRedisCluster redisCluster;
    private RedisClients clients;
    private String url;

    private TestRedis(Map<String, String> env, boolean cluster) {
        this.env = env;
        this.cluster = cluster;
    }

    /** @param env further TTV_* settings for the clients (e.g. a short timeout) */
    public static TestRedis perClass(Map<String, String> env) {
        return new TestRedis(env, "cluster".equals(System.getProperty(KIND_PROPERTY)));
    }

    /** A three-master Redis Cluster, whatever {@value #KIND_PROPERTY} says. */
    public static TestRedis cluster() {
        return new TestRedis(Map.of(), true);
    }

    /** The servers of the cluster, or null for a standalone Redis. */
    public TestRedisCluster redisCluster() {
        return redisCluster;
    }

    public static TestRedis perClass() {
        return perClass(Map.of());
    }

    public RedisClients clients() {
        return clients;
    }

    /** {@code TTV_REDIS_URL} of this server. */
    public String url() {
        return url;
    }

    /** Stops the server (an outage); {@link #restart()} brings it back on the same port. */
    public void stop() throws IOException {
        standaloneOnly();
        server.stop();
    }

    /** Starts the server again, with new clients: the pooled connections of the old ones are dead. */
    public void restart() throws IOException {
        standaloneOnly();
        server.start();
        clients.close();
        clients = new RedisClients(PipelineConfig.resolve(Map.of(), settings()), 8);
    }

    private void standaloneOnly() {
        if (cluster) {
            throw new UnsupportedOperationException("outages are simulated on a standalone Redis only");
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException, InterruptedException {
        if (cluster) {
            redisCluster = TestRedisCluster.start();
            url = redisCluster.url();
            clients = new RedisClients(PipelineConfig.resolve(Map.of(), settings()), 8);
            return;
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        server = new RedisServer(port);
        server.start();
        url = "redis://127.0.0.1:" + port + "/0";
        clients = new RedisClients(PipelineConfig.resolve(Map.of(), settings()), 8);
    }

    private Map<String, String> settings() {
        Map<String, String> settings = new HashMap<>(env);
        settings.put("TTV_REDIS_URL", url);
        return settings;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        clients.template().execute(c -> {
            c.serverCommands().flushDb();
            return null;
        }, true);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (clients != null) {
            clients.close();
        }
        if (server != null && server.isActive()) {
            server.stop();
        }
        if (redisCluster != null) {
            redisCluster.close();
        }
    }
}
