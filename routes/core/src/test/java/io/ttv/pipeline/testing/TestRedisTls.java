package io.ttv.pipeline.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The certificates of a Redis serving TLS on loopback ({@link TestCertificates}): a throwaway authority and the server
 * certificate it signed for {@code 127.0.0.1} and {@code localhost}.
 *
 * @param ca         the authority's certificate (PEM): what a client trusts
 * @param serverCert the server's certificate (PEM)
 * @param serverKey  the server's private key (PEM, unencrypted)
 */
public record TestRedisTls(Path ca, Path serverCert, Path serverKey) {

    public static TestRedisTls create(Path dir) throws IOException, InterruptedException {
        TestCertificates.Authority authority = TestCertificates.root(dir, "ttv-test-ca-" + dir.getFileName());
        TestCertificates.Issued server = authority.issue(dir, "redis", 2);
        return new TestRedisTls(authority.cert(), server.cert(), server.key());
    }

    /** The {@code redis-server} arguments serving TLS only, on {@code port}, with these certificates. */
    public List<String> redisArguments(int port) {
        return List.of("--port", "0", "--tls-port", Integer.toString(port), "--tls-cert-file", serverCert.toString(),
                "--tls-key-file", serverKey.toString(), "--tls-ca-cert-file", ca.toString(),
                "--tls-auth-clients", "no", "--tls-replication", "yes");
    }
}
