package io.ttv.itests;

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
