package io.ttv.pipeline.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Throw-away certificates made with the {@code openssl} command: a root authority, authorities under it, and server
 * certificates for {@code 127.0.0.1} and {@code localhost} whose PEM files are laid out as a server is given them
 * (the certificate followed by its intermediates; the private key alone). Shared with the black-box tests.
 */
public final class TestCertificates {
    private TestCertificates() {
    }

    /** A certificate authority: its certificate and key, and the intermediates a server must send with its own. */
    public record Authority(Path cert, Path key, String chain) {
        /** A client context that trusts this authority only. */
        public SSLContext trustingContext() throws Exception {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            try (InputStream in = Files.newInputStream(cert)) {
                trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        }

        /** An authority signed by this one; servers it certifies send its certificate with theirs. */
        public Authority intermediate(Path dir, String name) throws IOException, InterruptedException {
            Path key = dir.resolve(name + "-key.pem");
            Path cert = dir.resolve(name + "-cert.pem");
            sign(dir, name, "rsa:2048", key, cert, 2, "basicConstraints=critical,CA:TRUE\n"
                    + "keyUsage=critical,keyCertSign,cRLSign\n");
            return new Authority(cert, key, Files.readString(cert) + chain);
        }

        /** A server certificate for 127.0.0.1 and localhost with the given serial number and an EC P-256 key. */
        public Issued issue(Path dir, String name, long serial) throws IOException, InterruptedException {
            return issue(dir, name, serial, "ec");
        }

        /** @param keyType {@code ec} (P-256) or {@code rsa} (2048 bits) */
        public Issued issue(Path dir, String name, long serial, String keyType)
                throws IOException, InterruptedException {
            Path key = dir.resolve(name + "-key.pem");
            Path leaf = dir.resolve(name + "-leaf.pem");
            sign(dir, name, keyType.equals("rsa") ? "rsa:2048" : "ec", key, leaf, serial,
                    "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                            + "extendedKeyUsage=serverAuth\n");
            Path cert = dir.resolve(name + "-cert.pem");
            Files.writeString(cert, Files.readString(leaf) + chain);
            return new Issued(cert, key, BigInteger.valueOf(serial));
        }

        private void sign(Path dir, String name, String newKey, Path keyOut, Path certOut, long serial,
                          String extensions) throws IOException, InterruptedException {
            Path csr = dir.resolve(name + ".csr");
            Path ext = dir.resolve(name + ".ext");
            Files.writeString(ext, extensions);
            List<String> req = new ArrayList<>(List.of("req", "-new", "-newkey", newKey));
            if (newKey.equals("ec")) {
                req.addAll(List.of("-pkeyopt", "ec_paramgen_curve:prime256v1"));
            }
            req.addAll(List.of("-nodes", "-keyout", keyOut.toString(), "-out", csr.toString(),
                    "-subj", "/CN=" + name));
            openssl(req.toArray(String[]::new));
            openssl("x509", "-req", "-in", csr.toString(), "-CA", cert.toString(), "-CAkey", key.toString(),
                    "-set_serial", Long.toString(serial), "-days", "2", "-extfile", ext.toString(),
                    "-out", certOut.toString());
        }
    }

    /** A server's two PEM files and the serial number of its certificate. */
    public record Issued(Path cert, Path key, BigInteger serial) {
    }

    /** A self-signed root authority in {@code dir}. */
    public static Authority root(Path dir, String name) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path key = dir.resolve(name + "-key.pem");
        Path cert = dir.resolve(name + "-cert.pem");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out", cert.toString(),
                "-days", "2", "-subj", "/CN=" + name);
        return new Authority(cert, key, "");
    }

    /** The first certificate of a PEM file. */
    public static X509Certificate firstCertificate(Path pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(pem)));
    }

    /** Runs {@code openssl} with the arguments; returns what it printed, fails if it failed. */
    public static String openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }
}
