package io.ttv.pipeline.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (or Sentinel) process on loopback, for tests that need more than {@link TestRedis}'s
 * one plain server: TLS, ACL users, replicas, Sentinels. The binary is the static Redis 7 of
 * {@code org.signal:embedded-redis} (built with TLS).
 */
public final class RedisProcess implements AutoCloseable {
    private final Process process;
    private final int port;

    private RedisProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts {@code redis-server} with {@code args} in {@code dir} and waits until {@code port} accepts connections.
     * The server logs to {@code <dir>/<name>.log}.
     */
    public static RedisProcess start(Path dir, String name, int port, List<String> args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(binary(dir).toString());
        command.addAll(args);
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!accepts(port)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IllegalStateException(name + " did not start: " + Files.readString(dir.resolve(name + ".log")));
            }
            Thread.sleep(50);
        }
        return new RedisProcess(p, port);
    }

    public int port() {
        return port;
    }

    /** SIGKILL: the server dies without writing anything, as a crashed host would. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            kill();
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Path binary(Path dir) throws IOException {
        Path bin = dir.resolve("redis-server");
        if (!Files.exists(bin)) {
            String arch = System.getProperty("os.arch").contains("aarch64") ? "arm64" : "amd64";
            try (InputStream in = RedisProcess.class.getResourceAsStream("/redis-server-7.0.15-linux-" + arch)) {
                if (in == null) {
                    throw new IllegalStateException("org.signal:embedded-redis has no Linux " + arch + " binary");
                }
                Files.copy(in, bin, StandardCopyOption.REPLACE_EXISTING);
            }
            if (!bin.toFile().setExecutable(true)) {
                throw new IOException("cannot make " + bin + " executable");
            }
        }
        return bin;
    }
}
