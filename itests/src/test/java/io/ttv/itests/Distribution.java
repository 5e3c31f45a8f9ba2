package io.ttv.itests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The assembled distribution running for real: Redis and the GCS emulator as processes on free loopback ports,
 * and a fresh copy of {@code distribution/target/assembly} started with {@code bin/karaf server}. Given a Redis
 * URL, the node uses that Redis (e.g. a Redis Cluster the test started) instead of starting its own.
 */
final class Distribution implements AutoCloseable {
    static final String BUCKET = "ttv-api-artifacts";
    static final String CALLBACK_SECRET = "it-callback-secret";
    private static final ObjectMapper JSON = new ObjectMapper();

    final Path work;
    final Path karafHome;
    final int httpPort;
    final int sshPort;
    /** The port of the Redis this distribution started, -1 when it uses an external one. */
    final int redisPort;
    final int gcsPort;
    final HttpClient http;
    /** {@code https} when the node is given a certificate ({@code TTV_TLS_CERT_FILE}), else {@code http}. */
    final String scheme;
    private final Map<String, String> extraEnv;
    private final Path emulator;
    private final String redisUrl;
    private Process redis;
    private Process gcs;
    private Process karaf;

    Distribution() throws Exception {
        this(Map.of());
    }

    /** @param extraEnv further TTV_* settings for the node */
    Distribution(Map<String, String> extraEnv) throws Exception {
        this(extraEnv, Processes.freePort());
    }

    /**
     * @param extraEnv further settings for the node
     * @param gcsPort  the emulator's port, chosen by the caller (e.g. to put a proxy in front of it and point
     *                 {@code TTV_GCS_ENDPOINT} at that)
     */
    Distribution(Map<String, String> extraEnv, int gcsPort) throws Exception {
        this(extraEnv, gcsPort, null, null);
    }

    /**
     * A node serving HTTPS ({@code extraEnv} sets {@code TTV_TLS_*}); {@link #http} trusts what {@code trust} trusts.
     */
    Distribution(Map<String, String> extraEnv, SSLContext trust) throws Exception {
        this(extraEnv, Processes.freePort(), trust, null);
    }

    /**
     * @param externalRedisUrl {@code TTV_REDIS_URL} of a Redis the caller runs; none is started then
     */
    Distribution(Map<String, String> extraEnv, String externalRedisUrl) throws Exception {
        this(extraEnv, Processes.freePort(), null, externalRedisUrl);
    }

    /**
     * @param externalRedisUrl the Redis the caller runs, or null: then {@code TTV_REDIS_URL} of {@code extraEnv} if
     *                         set (e.g. Sentinels started by the test), else a Redis this distribution starts
     */
    private Distribution(Map<String, String> extraEnv, int gcsPort, SSLContext trust, String externalRedisUrl)
            throws Exception {
        if (externalRedisUrl == null) {
            externalRedisUrl = extraEnv.get("TTV_REDIS_URL");
        }
        this.extraEnv = extraEnv;
        this.scheme = extraEnv.containsKey("TTV_TLS_CERT_FILE") ? "https" : "http";
        this.http = client(trust);
        Path assembly = Path.of(System.getProperty("ttv.assembly")).toAbsolutePath().normalize();
        emulator = Path.of(System.getProperty("ttv.gcs.emulator")).toAbsolutePath().normalize();
        work = Files.createDirectories(Path.of(System.getProperty("ttv.work"))).toAbsolutePath()
                .resolve("run-" + System.currentTimeMillis());
        Files.createDirectories(work);
        httpPort = Processes.freePort();
        sshPort = Processes.freePort();
        redisPort = externalRedisUrl == null ? Processes.freePort() : -1;
        redisUrl = externalRedisUrl == null ? "redis://127.0.0.1:" + redisPort + "/0" : externalRedisUrl;
        this.gcsPort = gcsPort;
        try {
            if (externalRedisUrl == null) {
                redis = Processes.startRedis(work, redisPort);
            }
            gcs = Processes.startGcsEmulator(emulator, work, gcsPort, BUCKET);
            karafHome = work.resolve("karaf");
            Processes.copyTree(assembly, karafHome);
            setProperty(karafHome.resolve("etc/org.apache.karaf.shell.cfg"), "sshPort", Integer.toString(sshPort));
            startKaraf();
        } catch (Exception | AssertionError e) {
            close();
            throw e;
        }
    }

    /**
     * A further node of the same fleet: its own copy of the distribution and ports, the Redis and GCS emulator of
     * {@code fleet}. Closing it stops only its Karaf.
     */
    Distribution(Distribution fleet, Map<String, String> extraEnv) throws Exception {
        this.extraEnv = extraEnv;
        this.scheme = "http";
        this.http = client(null);
        Path assembly = Path.of(System.getProperty("ttv.assembly")).toAbsolutePath().normalize();
        emulator = fleet.emulator;
        work = Files.createDirectories(fleet.work.resolve("node-" + System.nanoTime()));
        httpPort = Processes.freePort();
        sshPort = Processes.freePort();
        redisPort = fleet.redisPort;
        redisUrl = fleet.redisUrl;
        gcsPort = fleet.gcsPort;
        karafHome = work.resolve("karaf");
        try {
            Processes.copyTree(assembly, karafHome);
            setProperty(karafHome.resolve("etc/org.apache.karaf.shell.cfg"), "sshPort", Integer.toString(sshPort));
            startKaraf();
        } catch (Exception | AssertionError e) {
            close();
            throw e;
        }
    }

    /** Starts Karaf on the current home and waits until {@code /readyz} answers 200. */
    void startKaraf() throws IOException, InterruptedException {
        launchKaraf();
        Process started = karaf;
        Processes.await("/readyz 200", Duration.ofSeconds(120), () -> {
            if (!started.isAlive() || karafLog().contains("Unable to start container for blueprint bundle io.ttv")) {
                throw new AssertionError("the pipeline did not start; see " + karafHome.resolve("data/log/karaf.log"));
            }
            return get("/readyz").statusCode() == 200;
        });
    }

    /** Starts Karaf on the current home without waiting for it. */
    void launchKaraf() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(karafHome.resolve("bin/karaf").toString(), "server")
                .directory(karafHome.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("karaf-console.log").toFile()));
        pb.environment().putAll(environment());
        karaf = pb.start();
    }

    /** Stops Redis gracefully (its AOF is flushed); {@link #startRedis()} brings it back on the same port and data. */
    void stopRedis() throws InterruptedException {
        Processes.stop(redis);
        Processes.await("the Redis port to close", Duration.ofSeconds(30), () -> !Processes.accepts(redisPort));
    }

    void startRedis() throws IOException, InterruptedException {
        redis = Processes.startRedis(work, redisPort);
    }

    /** Stops the GCS emulator (a storage outage); {@link #startGcs()} brings it back on the same port. */
    void stopGcs() throws InterruptedException {
        Processes.stop(gcs);
        Processes.await("the GCS port to close", Duration.ofSeconds(30), () -> !Processes.accepts(gcsPort));
    }

    void startGcs() throws IOException, InterruptedException {
        gcs = Processes.startGcsEmulator(emulator, work, gcsPort, BUCKET);
    }

    /** Stops Karaf gracefully (SIGTERM to the JVM, as a service manager would) and waits until it has exited. */
    void stopKaraf() throws InterruptedException {
        karaf.descendants().forEach(ProcessHandle::destroy);
        if (!karaf.waitFor(90, TimeUnit.SECONDS)) {
            throw new AssertionError("Karaf did not stop within 90 s");
        }
    }

    /** Kills the Karaf JVM with SIGKILL, as a crash would: no shutdown hook, no graceful stop. */
    void crashKaraf() throws InterruptedException {
        karaf.descendants().forEach(ProcessHandle::destroyForcibly);
        karaf.destroyForcibly();
        if (!karaf.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("Karaf did not die");
        }
        Processes.await("the HTTP port to close", Duration.ofSeconds(30), () -> !Processes.accepts(httpPort));
    }

    Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        env.put("TTV_HTTP_PORT", Integer.toString(httpPort));
        env.put("TTV_HTTP_HOST", "127.0.0.1");
        env.put("TTV_REDIS_URL", redisUrl);
        env.put("TTV_GCS_ENDPOINT", "http://127.0.0.1:" + gcsPort);
        env.put("TTV_GCS_BUCKET", BUCKET);
        env.put("TTV_CALLBACK_SECRET", CALLBACK_SECRET);
        env.put("TTV_CALLBACK_ALLOW_PRIVATE", "true");
        env.put("TTV_CALLBACK_ALLOW_HTTP", "true");
        env.putAll(extraEnv);
        return env;
    }

    /** The job object as {@code GET /v1/jobs/{id}} answers it. */
    JsonNode job(String id) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri("/v1/jobs/" + id)).GET();
            String keys = extraEnv.get("TTV_API_KEYS");
            if (keys != null) {
                request.header("X-API-Key", keys.split(",")[0]);
            }
            return JSON.readTree(send(request.build()).body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET().build());
    }

    HttpResponse<String> postJson(String path, String json) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    URI uri(String path) {
        return URI.create(scheme + "://127.0.0.1:" + httpPort + path);
    }

    private static HttpClient client(SSLContext trust) {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        return (trust == null ? builder : builder.sslContext(trust)).build();
    }

    /** Runs Karaf console commands through {@code bin/client} (SSH) and returns what they print. */
    String console(String commands) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(karafHome.resolve("bin/client").toString(), "-a", Integer.toString(sshPort),
                "-u", "karaf", "-p", "karaf", "-r", "30", "-d", "1", "-b")
                .directory(karafHome.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().write((commands + "\n").getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return out;
    }

    String karafLog() {
        Path log = karafHome.resolve("data/log/karaf.log");
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void setProperty(Path cfg, String key, String value) throws IOException {
        String text = Files.readString(cfg);
        String replaced = text.replaceAll("(?m)^" + key + "\\s*=.*$", key + " = " + value);
        if (replaced.equals(text)) {
            replaced = text + System.lineSeparator() + key + " = " + value + System.lineSeparator();
        }
        Files.writeString(cfg, replaced);
    }

    @Override
    public void close() throws InterruptedException {
        Processes.stop(karaf);
        Processes.stop(gcs);
        Processes.stop(redis);
    }
}
