package io.ttv.pipeline.core.http;

import io.ttv.pipeline.core.config.ConfigException;
import io.ttv.pipeline.core.config.TlsSettings;
import io.ttv.pipeline.core.domain.Sha256;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HexFormat;

/**
 * Reads the certificate files again on every call (the server calls it every {@code TTV_TLS_RELOAD_SECONDS}) and
 * hands a renewed certificate to the server's {@link RotatingKeyManager}: new connections get it, open ones keep
 * theirs, nothing restarts. (Vert.x 4.5's {@code HttpServer.updateSSLOptions} is not used: while it builds the new
 * SSL context, connections accepted meanwhile are closed before their handshake — its {@code TCPServerBase} reads
 * the pending context's result, which is still null.) Contents are compared, not timestamps, so a renewal
 * by symlink swap (Kubernetes secrets, certbot's {@code live/}) is seen too. Files that cannot be used (unreadable,
 * not PEM, a key of another certificate, e.g. half-way through a renewal) leave the current certificate in place;
 * each such state is logged once as a warning.
 */
final class CertificateReloader implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateReloader.class);

    private final TlsSettings files;
    private final RotatingKeyManager keys;
    private ServerCertificate current;
    /** What was refused last: the digest of the files' contents, or the read failure; warned about once. */
    private String refused;

    /** @param current what {@code keys} serves now */
    CertificateReloader(TlsSettings files, RotatingKeyManager keys, ServerCertificate current) {
        this.files = files;
        this.keys = keys;
        this.current = current;
    }

    @Override
    public synchronized void run() {
        byte[] cert;
        byte[] key;
        try {
            cert = ServerCertificate.readCert(files);
            key = ServerCertificate.readKey(files);
        } catch (ConfigException e) {
            refuse(e.getMessage(), e.getMessage());
            return;
        }
        if (current.hasContent(cert, key)) {
            refused = null;
            return;
        }
        String contents = HexFormat.of().formatHex(Sha256.of(cert)) + HexFormat.of().formatHex(Sha256.of(key));
        if (contents.equals(refused)) {
            return;
        }
        ServerCertificate next;
        try {
            next = ServerCertificate.parse(files, cert, key);
        } catch (ConfigException e) {
            refuse(contents, e.getMessage());
            return;
        }
        keys.use(next);
        current = next;
        refused = null;
        LOG.info("HTTPS certificate reloaded from {}: {}", files.certFile(), next);
        warnIfExpired(files, next);
    }

    /** An expired certificate is served (refusing to start or to renew would not help clients), with a warning. */
    static void warnIfExpired(TlsSettings files, ServerCertificate certificate) {
        if (certificate.expired()) {
            LOG.warn("The HTTPS certificate in {} has expired ({})", files.certFile(), certificate.notAfter());
        }
    }

    private void refuse(String state, String problem) {
        if (!state.equals(refused)) {
            LOG.warn("HTTPS certificate files changed but cannot be used; still serving {}: {}", current, problem);
        }
        refused = state;
    }
}
