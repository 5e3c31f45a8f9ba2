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
 */
public final class TestRedis implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {
    private final Map<String, String> env;
    private RedisServer server;
    private RedisClients clients;
    private String url;

    private TestRedis(Map<String, String> env) {
        this.env = env;
    }

    /** @param env further TTV_* settings for the clients (e.g. a short timeout) */
    public static TestRedis perClass(Map<String, String> env) {
        return new TestRedis(env);
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
        server.stop();
    }

    /** Starts the server again, with new clients: the pooled connections of the old ones are dead. */
    public void restart() throws IOException {
        server.start();
        clients.close();
        Map<String, String> settings = new HashMap<>(env);
        settings.put("TTV_REDIS_URL", url);
        clients = new RedisClients(PipelineConfig.resolve(Map.of(), settings), 8);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        server = new RedisServer(port);
        server.start();
        Map<String, String> settings = new HashMap<>(env);
        url = "redis://127.0.0.1:" + port + "/0";
        settings.put("TTV_REDIS_URL", url);
        clients = new RedisClients(PipelineConfig.resolve(Map.of(), settings), 8);
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
    }
}
