package io.ttv.itests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ttv.pipeline.testing.TestCertificates;
import io.ttv.pipeline.testing.TestCertificates.Authority;
import io.ttv.pipeline.testing.TestCertificates.Issued;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTPS on the API port, black-box: the node is given {@code certs/cert.pem} (its certificate and an intermediate)
 * and {@code certs/key.pem} as symlinks, the way certbot's {@code live/} folder and Kubernetes secrets present them.
 * It serves HTTP/2 and HTTP/1.1 over TLS 1.2+ (the node's JVM is set to allow TLS 1.0 and 1.1, so refusing them is
 * the node's own doing), jobs are submitted and read over it, plain HTTP gets no answer, a renewed certificate is
 * served to new connections within a minute while requests go on without one failing, a bad renewal leaves the
 * served certificate alone, and a key of another certificate stops the start with one log line.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HttpsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration RENEWAL_BOUND = Duration.ofSeconds(60);
    private static Path certs;
    private static Authority authority;
    private static Authority intermediate;
    private static Distribution dist;
    private static String jobId;

    @BeforeAll
    static void start() throws Exception {
        certs = Files.createDirectories(Path.of(System.getProperty("ttv.work")).toAbsolutePath()
                .resolve("https-" + System.currentTimeMillis()).resolve("certs"));
        authority = TestCertificates.root(certs.resolve("archive"), "root");
        intermediate = authority.intermediate(certs.resolve("archive"), "intermediate");
        install(intermediate.issue(certs.resolve("archive"), "gen1", 1001));
        // TLS 1.0 and 1.1 allowed by the JVM (its default forbids them): only the node's own settings refuse them.
        Path security = Files.writeString(certs.getParent().resolve("java.security"), "jdk.tls.disabledAlgorithms="
                + "SSLv3, RC4, DES, MD5withRSA, DH keySize < 1024, EC keySize < 224, 3DES_EDE_CBC, anon, NULL\n");
        dist = new Distribution(Map.of(
                "TTV_TLS_CERT_FILE", certs.resolve("cert.pem").toString(),
                "TTV_TLS_KEY_FILE", certs.resolve("key.pem").toString(),
                "TTV_TLS_RELOAD_SECONDS", "2",
                // The renewal test's request loops run flat out; the default quota (600/min) would answer them 429.
                "TTV_RATE_LIMIT", "0",
                "EXTRA_JAVA_OPTS", "-Djava.security.properties=" + security), authority.trustingContext());
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (dist != null) {
            dist.close();
        }
    }

    @Test
    @Order(1)
    void servesHttp2AndHttp11OverTls() throws Exception {
        assertEquals("2", curl("--http2", "-o", "/dev/null", "-w", "%{http_version}", url("/healthz")));
        assertEquals("1.1", curl("--http1.1", "-o", "/dev/null", "-w", "%{http_version}", url("/healthz")));
        HttpResponse<String> ready = dist.get("/readyz");
        assertEquals(200, ready.statusCode(), ready.body());
        assertEquals(HttpClient.Version.HTTP_2, ready.version());
        assertEquals(BigInteger.valueOf(1001), freshConnectionRequest());
    }

    @Test
    @Order(2)
    void aJobIsSubmittedAndReadOverHttp2() throws Exception {
        HttpResponse<String> created = dist.postJson("/v1/jobs", "{\"prompt\": \"a fox over https\", "
                + "\"duration_seconds\": 1}");
        assertEquals(202, created.statusCode(), created.body());
        assertEquals(HttpClient.Version.HTTP_2, created.version());
        jobId = JSON.readTree(created.body()).get("id").asText();
        Processes.await("the job to finish", Duration.ofSeconds(120), () -> {
            String status = dist.job(jobId).get("status").asText();
            assertNotEquals("failed", status);
            return status.equals("finished");
        });
        String body = curl("--http2", url("/v1/jobs/" + jobId));
        JsonNode job = JSON.readTree(body);
        assertEquals("a fox over https", job.get("prompt").asText());
        assertTrue(job.get("gcs_uri").asText().startsWith("gs://"), body);
    }

    @Test
    @Order(3)
    void plainHttpAndOldTlsVersionsAreRefused() throws Exception {
        try (Socket plain = new Socket("127.0.0.1", dist.httpPort)) {
            plain.setSoTimeout(15_000);
            plain.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(readSome(plain.getInputStream()), StandardCharsets.ISO_8859_1);
            assertFalse(answer.contains("HTTP/"), "plain HTTP was answered: " + answer);
        }
        Process curl = new ProcessBuilder("curl", "-sS", "-m", "15", "-o", "/dev/null", "-w", "%{http_code}",
                "http://127.0.0.1:" + dist.httpPort + "/healthz").redirectErrorStream(true).start();
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(curl.waitFor(30, TimeUnit.SECONDS));
        assertNotEquals(0, curl.exitValue(), out);
        assertTrue(out.strip().endsWith("000"), "no HTTP status: " + out);

        assertEquals("TLSv1.2", negotiated("-tls1_2"));
        assertEquals("TLSv1.3", negotiated("-tls1_3"));
        assertEquals("refused", negotiated("-tls1_1"));
        assertEquals("refused", negotiated("-tls1"));
    }

    @Test
    @Order(4)
    void aRenewedCertificateIsServedWithinAMinuteWhileNoRequestFails() throws Exception {
        Issued gen2 = intermediate.issue(certs.resolve("archive"), "gen2", 1002);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicReference<BigInteger> lastServed = new AtomicReference<>(BigInteger.valueOf(1001));
        List<Thread> loops = new ArrayList<>();
        // One client on its long-lived HTTP/2 connection, one opening a new TLS connection per request.
        loops.add(started(() -> {
            while (running.get()) {
                try {
                    HttpResponse<String> r = dist.get("/v1/jobs/" + jobId);
                    if (r.statusCode() == 200) {
                        ok.incrementAndGet();
                    } else {
                        failures.add("kept connection: " + r.statusCode());
                    }
                } catch (RuntimeException e) {
                    failures.add("kept connection: " + e);
                }
            }
        }));
        loops.add(started(() -> {
            while (running.get()) {
                try {
                    lastServed.set(freshConnectionRequest());
                    ok.incrementAndGet();
                } catch (Exception e) {
                    failures.add("new connection: " + e);
                }
            }
        }));
        Processes.await("requests on both loops", Duration.ofSeconds(30), () -> ok.get() >= 20);

        long renewed = System.nanoTime();
        install(gen2);
        Processes.await("the renewed certificate on new connections", RENEWAL_BOUND,
                () -> lastServed.get().equals(gen2.serial()));
        Duration seen = Duration.ofNanos(System.nanoTime() - renewed);
        int before = ok.get();
        Processes.await("more requests after the renewal", Duration.ofSeconds(30), () -> ok.get() >= before + 20);
        running.set(false);
        for (Thread t : loops) {
            t.join(30_000);
        }
        System.out.printf("HttpsIT: renewed certificate served after %d ms; %d requests, %d failed%n",
                seen.toMillis(), ok.get(), failures.size());
        assertTrue(failures.isEmpty(), "failed requests: " + failures);
        assertTrue(seen.compareTo(RENEWAL_BOUND) < 0);
        assertEquals(200, dist.get("/readyz").statusCode());
    }

    @Test
    @Order(5)
    void aBadRenewalKeepsTheServedCertificateAndIsLogged() throws Exception {
        Issued gen3 = intermediate.issue(certs.resolve("archive"), "gen3", 1003);
        link("cert.pem", gen3.cert());
        Processes.await("the warning about the unusable files", Duration.ofSeconds(60), () -> dist.karafLog()
                .lines().anyMatch(l -> l.contains("HTTPS certificate files changed but cannot be used")
                        && l.contains("TTV_TLS_KEY_FILE") && l.contains("does not match")));
        assertEquals(BigInteger.valueOf(1002), freshConnectionRequest());
        assertEquals(200, dist.get("/healthz").statusCode());
    }

    @Test
    @Order(6)
    void aKeyOfAnotherCertificateStopsTheStartWithOneLineNamingTheVariable() throws Exception {
        dist.stopKaraf();
        // cert.pem is gen3's, key.pem still gen2's: the bad renewal of the test before, now met at start.
        int before = dist.karafLog().length();
        dist.launchKaraf();
        Processes.await("the start to fail", Duration.ofSeconds(120), () -> dist.karafLog().substring(before)
                .contains("Unable to start container for blueprint bundle io.ttv"));
        // One line says it; Blueprint's own line about the failed start carries the stack trace in its metadata.
        List<String> messages = new ArrayList<>();
        for (String line : dist.karafLog().substring(before).lines().toList()) {
            String message = line.startsWith("{") ? JSON.readTree(line).path("message").asText() : line;
            if (message.contains("TTV_TLS_KEY_FILE")) {
                messages.add(message);
            }
        }
        assertEquals(1, messages.size(), String.join("\n", messages));
        assertTrue(messages.get(0).contains("does not match the certificate in TTV_TLS_CERT_FILE"), messages.get(0));
        assertFalse(Processes.accepts(dist.httpPort), "the API port stays closed");
    }

    /** Points the two symlinks at a certificate's files, each swapped atomically, one after the other. */
    private static void install(Issued issued) throws IOException {
        link("cert.pem", issued.cert());
        link("key.pem", issued.key());
    }

    private static void link(String name, Path target) throws IOException {
        Path tmp = certs.resolve(name + ".new");
        Files.deleteIfExists(tmp);
        Files.createSymbolicLink(tmp, target);
        Files.move(tmp, certs.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static String url(String path) {
        return "https://127.0.0.1:" + dist.httpPort + path;
    }

    /** curl trusting the test root only; fails the test if curl fails. */
    private static String curl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "-m", "30", "--cacert", authority.cert().toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
        return out;
    }

    /** The TLS version {@code openssl s_client} negotiates when offering only {@code version}, or "refused". */
    private static String negotiated(String version) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + dist.httpPort, version,
                "-cipher", "DEFAULT@SECLEVEL=0", "-CAfile", authority.cert().toString()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        // "New, TLSv1.3, Cipher is …" after a handshake ("Cipher is (NONE)" without one); "Protocol  : TLSv1.2" in the
        // session summary, which names the version exactly where the first line names the cipher suite's.
        if (out.contains("Cipher is (NONE)") || !out.contains("New, TLSv")) {
            return "refused";
        }
        return out.lines().map(String::trim).filter(l -> l.matches("Protocol *: .*"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst()
                .orElseGet(() -> out.substring(out.indexOf("New, ") + 5, out.indexOf(", Cipher is")));
    }

    /**
     * A new TLS connection with a full handshake (a client context of its own: no session to resume, which would
     * skip the certificate), one HTTP/1.1 request on it; returns the serial number of the certificate served.
     */
    private static BigInteger freshConnectionRequest() throws Exception {
        SSLContext client = authority.trustingContext();
        try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", dist.httpPort)) {
            socket.setSoTimeout(30_000);
            socket.startHandshake();
            BigInteger serial = ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
            socket.getOutputStream().write(("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String status = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            if (!status.equals("HTTP/1.1 200")) {
                throw new IOException("answered " + status);
            }
            return serial;
        }
    }

    private static Thread started(Runnable loop) {
        Thread t = new Thread(loop, "https-it-loop");
        t.start();
        return t;
    }

    /** What the server sends before it closes the connection (or nothing within the socket's timeout). */
    private static byte[] readSome(InputStream in) throws IOException {
        try {
            return in.readNBytes(64);
        } catch (java.net.SocketException | java.net.SocketTimeoutException e) {
            return new byte[0];
        }
    }
}
