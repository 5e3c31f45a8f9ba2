package io.ttv.pipeline;

import io.ttv.pipeline.app.RedisClients;
import io.ttv.pipeline.config.PipelineConfig;
import redis.embedded.RedisServer;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;

/** A real Redis server on a free loopback port and the product's clients for it, for plain-JVM tests. */
public final class TestRedis implements AutoCloseable {
    private final RedisServer server;
    private final RedisClients clients;

    private TestRedis(RedisServer server, RedisClients clients) {
        this.server = server;
        this.clients = clients;
    }

    /** @param env further TTV_* settings for the clients (e.g. a short timeout) */
    public static TestRedis start(Map<String, String> env) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        RedisServer server = new RedisServer(port);
        server.start();
        Map<String, String> settings = new HashMap<>(env);
        settings.put("TTV_REDIS_URL", "redis://127.0.0.1:" + port + "/0");
        return new TestRedis(server, new RedisClients(PipelineConfig.resolve(Map.of(), settings), 8));
    }

    public static TestRedis start() throws IOException {
        return start(Map.of());
    }

    public RedisClients clients() {
        return clients;
    }

    /** Empties the database, so that each test sees only its own keys. */
    public void flush() {
        clients.template().execute(c -> {
            c.serverCommands().flushDb();
            return null;
        }, true);
    }

    @Override
    public void close() throws IOException {
        clients.close();
        if (server.isActive()) {
            server.stop();
        }
    }
}
