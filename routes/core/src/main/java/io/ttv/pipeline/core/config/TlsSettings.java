package io.ttv.pipeline.core.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * HTTPS on the API port: the PEM files of the certificate (chain) and its private key, and how often they are read
 * again for a renewed certificate.
 *
 * @param certFile       {@code TTV_TLS_CERT_FILE}: the server certificate first, then any intermediates
 * @param keyFile        {@code TTV_TLS_KEY_FILE}: its private key (PKCS#8, PKCS#1 RSA or SEC1 EC), unencrypted
 * @param reloadInterval {@code TTV_TLS_RELOAD_SECONDS}: at most {@link #MAX_RELOAD_SECONDS}, so that a renewed
 *                       certificate is served to new connections within a minute
 */
public record TlsSettings(Path certFile, Path keyFile, Duration reloadInterval) {
    /** A renewal is seen within one interval and loaded at once: 50 s leaves room within the promised 60 s. */
    public static final int MAX_RELOAD_SECONDS = 50;
}
