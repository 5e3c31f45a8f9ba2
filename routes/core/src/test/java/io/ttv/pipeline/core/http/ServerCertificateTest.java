package io.ttv.pipeline.core.http;

import io.ttv.pipeline.core.config.ConfigException;
import io.ttv.pipeline.core.config.TlsSettings;
import io.ttv.pipeline.testing.TestCertificates;
import io.ttv.pipeline.testing.TestCertificates.Authority;
import io.ttv.pipeline.testing.TestCertificates.Issued;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PEM files of TTV_TLS_CERT_FILE and TTV_TLS_KEY_FILE: a chain and its key load; every way they can be wrong is
 * one line naming the variable of the file at fault.
 */
class ServerCertificateTest {
    @TempDir
    static Path dir;
    private static Authority intermediate;
    private static Issued ec;
    private static Issued rsa;

    @BeforeAll
    static void issueCertificates() throws Exception {
        intermediate = TestCertificates.root(dir, "root").intermediate(dir, "intermediate");
        ec = intermediate.issue(dir, "ec", 4242);
        rsa = intermediate.issue(dir, "rsa", 4343, "rsa");
    }

    @Test
    void aChainAndItsKeyLoadAndNameTheServedCertificate() throws Exception {
        assertTrue(Files.readString(ec.cert()).split("BEGIN CERTIFICATE").length == 3, "leaf and intermediate");
        ServerCertificate certificate = ServerCertificate.read(files(ec.cert(), ec.key()));
        assertTrue(certificate.toString().contains("CN=ec, serial 1092"), certificate.toString());
        assertFalse(certificate.expired());
        assertEquals(TestCertificates.firstCertificate(ec.cert()).getNotAfter().toInstant(), certificate.notAfter());
    }

    @Test
    void rsaKeysLoadInPkcs8AndInTraditionalForm() throws Exception {
        ServerCertificate.read(files(rsa.cert(), rsa.key()));
        Path pkcs1 = dir.resolve("rsa-pkcs1.pem");
        TestCertificates.openssl("pkey", "-in", rsa.key().toString(), "-traditional", "-out", pkcs1.toString());
        assertTrue(Files.readString(pkcs1).contains("BEGIN RSA PRIVATE KEY"));
        ServerCertificate.read(files(rsa.cert(), pkcs1));
    }

    @Test
    void aMissingFileNamesItsVariable() {
        assertProblem("TTV_TLS_CERT_FILE", "cannot be read (NoSuchFileException)",
                files(dir.resolve("absent.pem"), ec.key()));
        assertProblem("TTV_TLS_KEY_FILE", "cannot be read (NoSuchFileException)",
                files(ec.cert(), dir.resolve("absent.pem")));
        assertProblem("TTV_TLS_CERT_FILE", "cannot be read", files(dir, ec.key()));
    }

    @Test
    void aFileThatIsNotACertificateNamesTheCertificateVariable() throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate\n");
        assertProblem("TTV_TLS_CERT_FILE", "not a PEM certificate chain", files(garbage, ec.key()));
        assertProblem("TTV_TLS_CERT_FILE", "not a PEM certificate chain", files(ec.key(), ec.key()));
    }

    @Test
    void aFileThatIsNotAKeyNamesTheKeyVariable() throws Exception {
        assertProblem("TTV_TLS_KEY_FILE", "not an unencrypted PEM private key", files(ec.cert(), ec.cert()));
        Path encrypted = dir.resolve("encrypted-key.pem");
        TestCertificates.openssl("pkcs8", "-topk8", "-in", ec.key().toString(), "-passout", "pass:secret",
                "-out", encrypted.toString());
        assertProblem("TTV_TLS_KEY_FILE", "not an unencrypted PEM private key", files(ec.cert(), encrypted));
    }

    @Test
    void theKeyOfAnotherCertificateIsRefused() throws Exception {
        Issued other = intermediate.issue(dir, "other", 4444);
        assertProblem("TTV_TLS_KEY_FILE", "the private key does not match the certificate in TTV_TLS_CERT_FILE",
                files(ec.cert(), other.key()));
        assertProblem("TTV_TLS_KEY_FILE", "TTV_TLS_CERT_FILE", files(ec.cert(), rsa.key()));
        assertProblem("TTV_TLS_KEY_FILE", "TTV_TLS_CERT_FILE", files(rsa.cert(), ec.key()));
    }

    private static TlsSettings files(Path cert, Path key) {
        return new TlsSettings(cert, key, Duration.ofSeconds(30));
    }

    private static void assertProblem(String variable, String problem, TlsSettings files) {
        ConfigException e = assertThrows(ConfigException.class, () -> ServerCertificate.read(files));
        String message = e.getMessage();
        assertTrue(message.startsWith("Invalid configuration: " + variable + " = '"), message);
        assertTrue(message.contains(problem), message);
        assertFalse(message.contains("\n"), "one line: " + message);
    }
}
