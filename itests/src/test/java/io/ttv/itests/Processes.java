package io.ttv.itests;

import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/** Helpers to run the real servers the black-box tests need, and to wait on conditions (never on time alone). */
final class Processes {
    private Processes() {
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    /** Polls {@code condition} until it holds or {@code timeout} passes; fails with {@code what}. */
    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                // not yet: the server may still be starting
            }
            Thread.sleep(100);
        }
        throw new AssertionError("Timed out after " + timeout.toSeconds() + " s waiting for " + what);
    }

    static boolean accepts(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Starts Redis 7 from the binary shipped in org.signal:embedded-redis, a real server on loopback. */
    static Process startRedis(Path work, int port) throws IOException, InterruptedException {
        // Durable as in production (scripts/redis.conf): a restarted Redis comes back with every job.
        return startRedisServer(work, "redis", port, List.of("--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "yes", "--appendfsync", "everysec", "--dir", work.toString()));
    }

    /**
     * Starts the embedded-redis binary with {@code args} (a server, or a Sentinel with a config file and
     * {@code --sentinel}), logging to {@code <work>/<name>.log}, and waits until {@code port} accepts connections.
     */
    static Process startRedisServer(Path work, String name, int port, List<String> args)
            throws IOException, InterruptedException {
        Path bin = work.resolve("redis-server");
        if (!Files.exists(bin)) {
            try (InputStream in = Processes.class.getResourceAsStream("/redis-server-7.0.15-linux-amd64")) {
                Files.copy(in, bin, StandardCopyOption.REPLACE_EXISTING);
            }
            bin.toFile().setExecutable(true);
        }
        List<String> command = new ArrayList<>();
        command.add(bin.toString());
        command.addAll(args);
        Process p = new ProcessBuilder(command).directory(work.toFile())
                .redirectErrorStream(true).redirectOutput(work.resolve(name + ".log").toFile()).start();
        await(name + " on port " + port, Duration.ofSeconds(20), () -> accepts(port));
        return p;
    }

    /**
     * A Redis Cluster of {@code masters} masters on loopback, created with {@code redis-cli --cluster create}
     * (Debian's redis-tools). Each node has its own directory, port and cluster-bus port.
     */
    record RedisCluster(List<Process> nodes, List<Integer> ports) implements AutoCloseable {
        /** {@code TTV_REDIS_URL} of the cluster: its nodes as seeds. */
        String url() {
            return "redis-cluster://" + String.join(",", ports.stream().map(p -> "127.0.0.1:" + p).toList());
        }

        @Override
        public void close() throws InterruptedException {
            for (Process node : nodes) {
                stop(node);
            }
        }
    }

    static RedisCluster startRedisCluster(Path work, int masters) throws IOException, InterruptedException {
        List<Process> nodes = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        try {
            for (int i = 0; i < masters; i++) {
                int port = freePort();
                Path dir = Files.createDirectories(work.resolve("redis-cluster-" + port));
                nodes.add(startRedisServer(work, "redis-cluster-" + port, port, List.of("--port", Integer.toString(port),
                        "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--dir", dir.toString(),
                        "--cluster-enabled", "yes", "--cluster-port", Integer.toString(freePort()),
                        "--cluster-config-file", dir.resolve("nodes.conf").toString())));
                ports.add(port);
            }
            List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
            ports.forEach(p -> create.add("127.0.0.1:" + p));
            create.add("--cluster-yes");
            Path log = work.resolve("redis-cluster-create.log");
            Process cli = new ProcessBuilder(create).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!cli.waitFor(60, TimeUnit.SECONDS) || cli.exitValue() != 0) {
                throw new AssertionError("redis-cli --cluster create failed; see " + log);
            }
            for (int port : ports) {
                await("cluster_state:ok on " + port, Duration.ofSeconds(30), () -> {
                    try (Jedis node = new Jedis("127.0.0.1", port)) {
                        return node.clusterInfo().contains("cluster_state:ok");
                    }
                });
            }
            return new RedisCluster(List.copyOf(nodes), List.copyOf(ports));
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            for (Process node : nodes) {
                stop(node);
            }
            throw e;
        }
    }

    static Process startGcsEmulator(Path emulatorDir, Path work, int port, String bucket)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder("node", "server.js", "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--bucket", bucket)
                .directory(emulatorDir.toFile())
                .redirectErrorStream(true).redirectOutput(work.resolve("gcs-emulator.log").toFile()).start();
        await("GCS emulator on port " + port, Duration.ofSeconds(60), () -> accepts(port));
        return p;
    }

    static void stop(Process p) throws InterruptedException {
        if (p == null || !p.isAlive()) {
            return;
        }
        // Launcher scripts (bin/karaf) run the JVM as a child: signal the children first so they stop gracefully,
        // and wait for them too, not only for the script.
        List<ProcessHandle> children = p.descendants().toList();
        children.forEach(ProcessHandle::destroy);
        p.destroy();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (ProcessHandle h : children) {
            try {
                h.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException | TimeoutException e) {
                h.destroyForcibly();
            }
        }
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path src : (Iterable<Path>) paths::iterator) {
                Path dst = to.resolve(from.relativize(src).toString());
                if (Files.isDirectory(src)) {
                    Files.createDirectories(dst);
                } else {
                    Files.copy(src, dst, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
