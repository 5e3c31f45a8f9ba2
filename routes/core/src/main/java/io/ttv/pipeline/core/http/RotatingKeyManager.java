package io.ttv.pipeline.core.http;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/**
 * The server's key manager: every TLS handshake asks it for the certificate chain and the key, so a certificate
 * handed to {@link #use} is served from the next handshake on, with no new SSL context and no window in which a
 * connection is refused. The alias chosen for a handshake names the certificate's generation, so that the chain and
 * the key given to one handshake always belong together, even when a renewal lands in the middle of it.
 */
final class RotatingKeyManager extends X509ExtendedKeyManager {
    private record Generation(long id, X509ExtendedKeyManager keys) {
        String alias(String alias) {
            return alias == null ? null : id + "/" + alias;
        }
    }

    private volatile Generation current;
    private volatile Generation previous;

    RotatingKeyManager(ServerCertificate first) {
        current = new Generation(0, first.keyManager());
    }

    /** New handshakes get {@code next}; one that already chose the current certificate finishes with it. */
    synchronized void use(ServerCertificate next) {
        previous = current;
        current = new Generation(current.id() + 1, next.keyManager());
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        Generation g = current;
        return g.alias(g.keys().chooseEngineServerAlias(keyType, issuers, engine));
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        Generation g = current;
        return g.alias(g.keys().chooseServerAlias(keyType, issuers, socket));
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        Generation g = current;
        String[] aliases = g.keys().getServerAliases(keyType, issuers);
        if (aliases == null) {
            return null;
        }
        String[] named = new String[aliases.length];
        for (int i = 0; i < aliases.length; i++) {
            named[i] = g.alias(aliases[i]);
        }
        return named;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Generation g = generationOf(alias);
        return g == null ? null : g.keys().getCertificateChain(alias.substring(alias.indexOf('/') + 1));
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Generation g = generationOf(alias);
        return g == null ? null : g.keys().getPrivateKey(alias.substring(alias.indexOf('/') + 1));
    }

    private Generation generationOf(String alias) {
        int slash = alias == null ? -1 : alias.indexOf('/');
        if (slash < 0) {
            return null;
        }
        String id = alias.substring(0, slash);
        for (Generation g : new Generation[] {current, previous}) {
            if (g != null && Long.toString(g.id()).equals(id)) {
                return g;
            }
        }
        return null;
    }

    /** A server presents certificates; it has none to offer as a client. */
    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }
}
