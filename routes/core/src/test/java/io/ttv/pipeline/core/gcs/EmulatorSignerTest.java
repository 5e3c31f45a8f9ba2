package io.ttv.pipeline.core.gcs;

import com.google.cloud.NoCredentials;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmulatorSignerTest {
    private static final Pattern SIGNATURE = Pattern.compile("X-Goog-Signature=([0-9a-f]+)");

    @Test
    void signsV4UrlsWithOneRsaKeyMadeAtTheFirstSignature() {
        Storage storage = StorageOptions.http().setHost("http://127.0.0.1:1").setProjectId("ttv-test")
                .setCredentials(NoCredentials.getInstance()).build().getService();
        EmulatorSigner signer = new EmulatorSigner();

        String url = sign(storage, signer, "jobs/a/video.mp4").toString();

        assertTrue(url.contains("X-Goog-Credential=ttv-local%40ttv-local.iam.gserviceaccount.com"), url);
        assertEquals(512, signature(url).length(), "an RSA-2048 signature, hex-encoded");
        // PKCS#1 v1.5 signatures are deterministic: the same bytes under the same key give the same signature.
        byte[] bytes = "GOOG4-RSA-SHA256".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(signer.sign(bytes), signer.sign(bytes), "one key for the signer's life");
    }

    private static URL sign(Storage storage, EmulatorSigner signer, String object) {
        return storage.signUrl(BlobInfo.newBuilder(BlobId.of("ttv-test", object)).build(), 60, TimeUnit.SECONDS,
                Storage.SignUrlOption.withV4Signature(), Storage.SignUrlOption.signWith(signer),
                Storage.SignUrlOption.withHostName("http://127.0.0.1:1"), Storage.SignUrlOption.withPathStyle());
    }

    private static String signature(String url) {
        Matcher m = SIGNATURE.matcher(url);
        assertTrue(m.find(), url);
        return m.group(1);
    }
}
