package io.ttv.pipeline.core.http;

import io.ttv.pipeline.core.config.TlsSettings;
import io.ttv.pipeline.testing.TestCertificates;
import io.ttv.pipeline.testing.TestCertificates.Authority;
import io.ttv.pipeline.testing.TestCertificates.Issued;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.KeyCertOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A real Vert.x HTTPS server given a certificate through symlinks, and the reloader run by hand: a renewal reaches
 * new connections while an open one goes on with its own; unusable files leave the served certificate alone.
 */
class CertificateReloaderTest {
    @TempDir
    Path dir;
    private Vertx vertx;
    private HttpServer server;
    private Authority ca;
    private TlsSettings files;
    private CertificateReloader reloader;

    @BeforeEach
    void serve() throws Exception {
        ca = TestCertificates.root(dir.resolve("archive"), "root");
        install(ca.issue(dir.resolve("archive"), "gen1", 1));
        files = new TlsSettings(dir.resolve("cert.pem"), dir.resolve("key.pem"), Duration.ofSeconds(1));
        ServerCertificate first = ServerCertificate.read(files);
        RotatingKeyManager keys = new RotatingKeyManager(first);
        HttpServerOptions options = new HttpServerOptions().setSsl(true).setUseAlpn(true)
                .setEnabledSecureTransportProtocols(ApiServer.TLS_PROTOCOLS)
                .setKeyCertOptions(KeyCertOptions.wrap(keys));
        vertx = Vertx.vertx();
        server = vertx.createHttpServer(options).requestHandler(r -> r.response().end("ok"));
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        reloader = new CertificateReloader(files, keys, first);
    }

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void aRenewalReachesNewConnectionsAndAnOpenOneGoesOn() throws Exception {
        reloader.run();
        assertEquals(BigInteger.ONE, served(), "unchanged files");

        try (SSLSocket open = connect()) {
            assertEquals(BigInteger.ONE, serial(open));
            assertEquals("HTTP/1.1 200", request(open));
            install(ca.issue(dir.resolve("archive"), "gen2", 2));
            reloader.run();
            assertEquals(BigInteger.TWO, served());
            assertEquals("HTTP/1.1 200", request(open), "the open connection goes on");
            assertEquals(BigInteger.ONE, serial(open));
        }
    }

    @Test
    void noConnectionIsRefusedWhileCertificatesRotate() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger answered = new AtomicInteger();
        List<String> failures = new CopyOnWriteArrayList<>();
        Thread clients = new Thread(() -> {
            while (running.get()) {
                try (SSLSocket socket = connect()) {
                    request(socket);
                    answered.incrementAndGet();
                } catch (Exception e) {
                    failures.add(e.toString());
                }
            }
        });
        clients.start();
        for (long serial = 2; serial <= 6; serial++) {
            int before = answered.get();
            install(ca.issue(dir.resolve("archive"), "gen" + serial, serial));
            reloader.run();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (answered.get() < before + 5 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        }
        running.set(false);
        clients.join(30_000);
        assertEquals(List.of(), failures);
        assertEquals(BigInteger.valueOf(6), served());
    }

    @Test
    void unusableFilesKeepTheServedCertificate() throws Exception {
        Issued gen2 = ca.issue(dir.resolve("archive"), "gen2", 2);
        link("cert.pem", gen2.cert());
        reloader.run();
        assertEquals(BigInteger.ONE, served(), "a certificate with the old key");

        link("key.pem", dir.resolve("archive/absent.pem"));
        reloader.run();
        assertEquals(BigInteger.ONE, served(), "a key file that is gone");

        Files.writeString(dir.resolve("archive/garbage.pem"),
                "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        link("key.pem", dir.resolve("archive/garbage.pem"));
        reloader.run();
        assertEquals(BigInteger.ONE, served(), "a key that is not one");

        link("key.pem", gen2.key());
        reloader.run();
        assertEquals(BigInteger.TWO, served(), "once the files are right");
    }

    private void install(Issued issued) throws IOException {
        link("cert.pem", issued.cert());
        link("key.pem", issued.key());
    }

    /** Swaps a symlink atomically, as Kubernetes and certbot do. */
    private void link(String name, Path target) throws IOException {
        Path tmp = dir.resolve(name + ".new");
        Files.deleteIfExists(tmp);
        Files.createSymbolicLink(tmp, target);
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private BigInteger served() throws Exception {
        try (SSLSocket socket = connect()) {
            return serial(socket);
        }
    }

    private SSLSocket connect() throws Exception {
        SSLSocket socket = (SSLSocket) ca.trustingContext().getSocketFactory()
                .createSocket("127.0.0.1", server.actualPort());
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        return socket;
    }

    private static BigInteger serial(SSLSocket socket) throws Exception {
        return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }

    /** One keep-alive HTTP/1.1 request; the status line of its answer, read to the end of its body "ok". */
    private static String request(SSLSocket socket) throws IOException {
        socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        StringBuilder answer = new StringBuilder();
        while (answer.indexOf("\r\n\r\nok") < 0) {
            int b = socket.getInputStream().read();
            if (b < 0) {
                throw new IOException("connection closed after: " + answer);
            }
            answer.append((char) b);
        }
        return answer.substring(0, 12);
    }
}
