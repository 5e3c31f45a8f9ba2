package io.ttv.pipeline.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway certificate authority and a server certificate it signed for {@code 127.0.0.1} and {@code localhost},
 * made with {@code openssl} for tests of TLS on loopback.
 *
 * @param ca         the authority's certificate (PEM): what a client trusts
 * @param serverCert the server's certificate (PEM)
 * @param serverKey  the server's private key (PEM, unencrypted)
 */
public record TestCertificates(Path ca, Path serverCert, Path serverKey) {

    public static TestCertificates create(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        TestCertificates c = new TestCertificates(dir.resolve("ca.crt"), dir.resolve("server.crt"),
                dir.resolve("server.key"));
        Path caKey = dir.resolve("ca.key");
        Path request = dir.resolve("server.csr");
        Path extensions = dir.resolve("server.ext");
        Files.writeString(extensions, "subjectAltName=IP:127.0.0.1,DNS:localhost\n", StandardCharsets.US_ASCII);
        openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", caKey.toString(), "-out", c.ca.toString(), "-days", "2", "-subj", "/CN=ttv test CA " + dir.getFileName());
        openssl(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", c.serverKey.toString(), "-out", request.toString(), "-subj", "/CN=localhost");
        openssl(dir, "x509", "-req", "-in", request.toString(), "-CA", c.ca.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-out", c.serverCert.toString(), "-days", "2", "-extfile", extensions.toString());
        return c;
    }

    /** The {@code redis-server} arguments serving TLS only, on {@code port}, with these certificates. */
    public List<String> redisArguments(int port) {
        return List.of("--port", "0", "--tls-port", Integer.toString(port), "--tls-cert-file", serverCert.toString(),
                "--tls-key-file", serverKey.toString(), "--tls-ca-cert-file", ca.toString(),
                "--tls-auth-clients", "no", "--tls-replication", "yes");
    }

    private static void openssl(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("openssl " + String.join(" ", args) + " failed: " + out);
        }
    }
}
