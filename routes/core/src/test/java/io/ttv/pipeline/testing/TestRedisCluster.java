package io.ttv.pipeline.testing;

import redis.clients.jedis.Jedis;
import redis.embedded.RedisServer;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis Cluster of three masters on loopback: three {@code redis-server --cluster-enabled yes} (the binary of
 * embedded-redis) joined by {@code redis-cli --cluster create} (Debian's {@code redis-tools}; scripts/test.sh
 * installs it). Each node's client and cluster-bus ports are free ports chosen here.
 */
public final class TestRedisCluster implements AutoCloseable {
    private static final int MASTERS = 3;
    private static final Duration READY = Duration.ofSeconds(30);

    private final Path dir;
    private final List<RedisServer> servers = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();

    private TestRedisCluster() throws IOException {
        dir = Files.createTempDirectory("ttv-redis-cluster");
    }

    /** Starts the nodes and creates the cluster; returns once every node reports {@code cluster_state:ok}. */
    public static TestRedisCluster start() throws IOException, InterruptedException {
        TestRedisCluster cluster = new TestRedisCluster();
        try {
            cluster.startNodes();
            cluster.create();
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            cluster.close();
            throw e;
        }
    }

    /** {@code TTV_REDIS_URL} of this cluster: its nodes as seeds. */
    public String url() {
        return "redis-cluster://" + String.join(",", ports.stream().map(p -> "127.0.0.1:" + p).toList());
    }

    public List<Integer> ports() {
        return List.copyOf(ports);
    }

    private void startNodes() throws IOException {
        for (int i = 0; i < MASTERS; i++) {
            int port = freePort();
            int bus = freePort();
            RedisServer server = RedisServer.builder().bind("127.0.0.1").port(port)
                    .setting("cluster-enabled yes")
                    .setting("cluster-port " + bus)
                    .setting("cluster-config-file " + dir.resolve("nodes-" + port + ".conf"))
                    .setting("dir " + dir)
                    .setting("save \"\"")
                    .setting("appendonly no")
                    .build();
            server.start();
            servers.add(server);
            ports.add(port);
        }
    }

    private void create() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        ports.forEach(p -> command.add("127.0.0.1:" + p));
        command.add("--cluster-yes");
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("redis-cli is needed for a Redis Cluster (Debian package redis-tools)", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(READY.toSeconds(), TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("redis-cli --cluster create failed:\n" + out);
        }
        long deadline = System.nanoTime() + READY.toNanos();
        for (int port : ports) {
            try (Jedis node = new Jedis("127.0.0.1", port)) {
                while (!node.clusterInfo().contains("cluster_state:ok")) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("node " + port + " not ready:\n" + node.clusterInfo());
                    }
                    Thread.sleep(50);
                }
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws IOException {
        for (RedisServer s : servers) {
            if (s.isActive()) {
                s.stop();
            }
        }
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
