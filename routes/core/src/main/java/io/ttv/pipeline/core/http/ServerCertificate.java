package io.ttv.pipeline.core.http;

import io.ttv.pipeline.core.config.ConfigException;
import io.ttv.pipeline.core.config.Setting;
import io.ttv.pipeline.core.config.TlsSettings;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;

import javax.net.ssl.X509ExtendedKeyManager;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;

/**
 * The API's certificate chain and private key as read from {@code TTV_TLS_CERT_FILE} and {@code TTV_TLS_KEY_FILE}.
 * Vert.x's own PEM loader parses the pair into the key manager the server's handshakes use, and the key is checked
 * to belong to the certificate: a signature made with it must verify with the certificate's public key. Any problem
 * is a {@link ConfigException} naming the variable of the file at fault.
 */
public final class ServerCertificate {
    private final byte[] certPem;
    private final byte[] keyPem;
    private final X509Certificate leaf;
    private final X509ExtendedKeyManager keys;

    private ServerCertificate(byte[] certPem, byte[] keyPem, X509Certificate leaf, X509ExtendedKeyManager keys) {
        this.certPem = certPem;
        this.keyPem = keyPem;
        this.leaf = leaf;
        this.keys = keys;
    }

    /** Reads and checks both files. */
    public static ServerCertificate read(TlsSettings files) {
        return parse(files, readCert(files), readKey(files));
    }

    static byte[] readCert(TlsSettings files) {
        return readFile(Setting.TLS_CERT_FILE, files.certFile());
    }

    static byte[] readKey(TlsSettings files) {
        return readFile(Setting.TLS_KEY_FILE, files.keyFile());
    }

    /** Checks the contents of the two files ({@code files} names them in messages). */
    static ServerCertificate parse(TlsSettings files, byte[] certPem, byte[] keyPem) {
        X509Certificate leaf = leafOf(files, certPem);
        X509ExtendedKeyManager keys;
        PrivateKey key;
        try {
            keys = (X509ExtendedKeyManager) new PemKeyCertOptions().setCertValue(Buffer.buffer(certPem))
                    .setKeyValue(Buffer.buffer(keyPem)).getKeyManagerFactory(null).getKeyManagers()[0];
            String[] aliases = keys.getServerAliases(leaf.getPublicKey().getAlgorithm(), null);
            key = aliases == null ? null : keys.getPrivateKey(aliases[0]);
        } catch (Exception e) {
            throw invalid(Setting.TLS_KEY_FILE, files.keyFile(), "not an unencrypted PEM private key of the "
                    + "certificate in " + Setting.TLS_CERT_FILE.env() + ": " + reason(e));
        }
        if (key == null || !belongTogether(key, leaf.getPublicKey())) {
            throw invalid(Setting.TLS_KEY_FILE, files.keyFile(), "the private key does not match the certificate in "
                    + Setting.TLS_CERT_FILE.env() + " (" + files.certFile() + ")");
        }
        return new ServerCertificate(certPem, keyPem, leaf, keys);
    }

    /** The first certificate of the chain: the server's own. */
    private static X509Certificate leafOf(TlsSettings files, byte[] certPem) {
        Collection<? extends Certificate> chain;
        try {
            chain = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(certPem));
        } catch (CertificateException e) {
            throw invalid(Setting.TLS_CERT_FILE, files.certFile(), "not a PEM certificate chain: " + reason(e));
        }
        if (chain.isEmpty()) {
            throw invalid(Setting.TLS_CERT_FILE, files.certFile(), "not a PEM certificate chain: no certificate");
        }
        return (X509Certificate) chain.iterator().next();
    }

    /** The chain and key as a handshake asks for them: the very bytes that were checked. */
    X509ExtendedKeyManager keyManager() {
        return keys;
    }

    /** Whether the files still hold what this certificate was read from. */
    boolean hasContent(byte[] cert, byte[] key) {
        return Arrays.equals(certPem, cert) && Arrays.equals(keyPem, key);
    }

    public Instant notAfter() {
        return leaf.getNotAfter().toInstant();
    }

    public boolean expired() {
        return notAfter().isBefore(Instant.now());
    }

    /** Subject, serial number and end of validity, as an operator compares them with {@code openssl x509}. */
    @Override
    public String toString() {
        return leaf.getSubjectX500Principal().getName() + ", serial "
                + HexFormat.of().withUpperCase().formatHex(leaf.getSerialNumber().toByteArray())
                + ", valid until " + notAfter();
    }

    /** Vert.x's loader takes RSA and EC keys; both sign and verify with SHA-256. */
    private static boolean belongTogether(PrivateKey key, PublicKey certified) {
        String algorithm = "EC".equals(certified.getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
        byte[] challenge = new byte[32];
        new SecureRandom().nextBytes(challenge);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certified);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static byte[] readFile(Setting setting, Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            String detail = e.getMessage() == null || e.getMessage().equals(file.toString())
                    ? "" : ": " + e.getMessage();
            throw invalid(setting, file, "cannot be read (" + e.getClass().getSimpleName() + detail + ")");
        }
    }

    private static ConfigException invalid(Setting setting, Path file, String problem) {
        return new ConfigException("Invalid configuration: " + setting.env() + " = '" + file + "': " + problem);
    }

    private static String reason(Exception e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
