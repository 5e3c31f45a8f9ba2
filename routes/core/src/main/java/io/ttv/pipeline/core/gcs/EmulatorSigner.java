package io.ttv.pipeline.core.gcs;

import com.google.auth.ServiceAccountSigner;

import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;

/**
 * Signs V4 URLs for a GCS emulator, which does not check signatures, with an RSA key made for this process. The key
 * is made when the first URL is signed, not at start: making a 2048-bit key took about half a second of a node's
 * start-up.
 */
final class EmulatorSigner implements ServiceAccountSigner {
    private static final String ACCOUNT = "ttv-local@ttv-local.iam.gserviceaccount.com";
    private PrivateKey key;

    @Override
    public String getAccount() {
        return ACCOUNT;
    }

    @Override
    public byte[] sign(byte[] toSign) {
        try {
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(key());
            signature.update(toSign);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new SigningException("signing a URL for the GCS emulator failed", e);
        }
    }

    private synchronized PrivateKey key() throws GeneralSecurityException {
        if (key == null) {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            key = generator.generateKeyPair().getPrivate();
        }
        return key;
    }
}
