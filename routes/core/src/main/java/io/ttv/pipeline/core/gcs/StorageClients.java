package io.ttv.pipeline.core.gcs;

import com.google.api.gax.retrying.RetrySettings;
import com.google.auth.Credentials;
import com.google.auth.ServiceAccountSigner;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.NoCredentials;
import com.google.cloud.http.HttpTransportOptions;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import com.google.cloud.storage.StorageRetryStrategy;
import io.ttv.pipeline.core.config.ConfigException;
import io.ttv.pipeline.core.config.PipelineConfig;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Duration;

/**
 * Builds the GCS client from configuration: a service-account JSON file, Application Default Credentials, or —
 * with an endpoint override (an emulator) — no credentials at all. Calls are bounded by timeouts so that a
 * storage outage shows up as an error, never as a hang.
 */
public final class StorageClients {
    private StorageClients() {
    }

    public static Storage create(PipelineConfig config) {
        StorageOptions.Builder b = StorageOptions.http()
                .setTransportOptions(HttpTransportOptions.newBuilder()
                        .setConnectTimeout(5_000).setReadTimeout(60_000).build())
                .setRetrySettings(RetrySettings.newBuilder()
                        .setMaxAttempts(3)
                        .setInitialRetryDelayDuration(Duration.ofMillis(200))
                        .setRetryDelayMultiplier(2.0)
                        .setMaxRetryDelayDuration(Duration.ofSeconds(2))
                        .setTotalTimeoutDuration(Duration.ofSeconds(30))
                        .build())
                // Uploads too are retried on connection resets, 429 and 5xx: writing the same bytes to the same
                // object name again is harmless (the default strategy retries only idempotent calls).
                .setStorageRetryStrategy(StorageRetryStrategy.getUniformStorageRetryStrategy());
        if (!config.gcsProject().isEmpty()) {
            b.setProjectId(config.gcsProject());
        } else if (config.usesGcsEmulator()) {
            b.setProjectId("ttv-local");
        }
        if (config.usesGcsEmulator()) {
            b.setHost(config.gcsEndpoint());
        }
        b.setCredentials(credentials(config));
        return b.build().getService();
    }

    static Credentials credentials(PipelineConfig config) {
        if (config.gcsCredentials() != null) {
            try (InputStream in = Files.newInputStream(config.gcsCredentials())) {
                return GoogleCredentials.fromStream(in)
                        .createScoped("https://www.googleapis.com/auth/devstorage.read_write");
            } catch (IOException e) {
                throw new ConfigException("Invalid configuration: TTV_GCS_CREDENTIALS: not a service-account JSON file ("
                        + e.getMessage() + ")");
            }
        }
        if (config.usesGcsEmulator()) {
            return NoCredentials.getInstance();
        }
        try {
            return GoogleCredentials.getApplicationDefault();
        } catch (IOException e) {
            throw new ConfigException("Invalid configuration: TTV_GCS_CREDENTIALS is unset and no Application Default "
                    + "Credentials were found; set it to a service-account JSON file, or set TTV_GCS_ENDPOINT for an emulator");
        }
    }

    /**
     * The signer for V4 signed URLs: the service account itself when it can sign; for an emulator (which does not
     * check signatures) a key made for this process ({@link EmulatorSigner}).
     */
    public static ServiceAccountSigner signer(Storage storage, PipelineConfig config) {
        Credentials credentials = storage.getOptions().getCredentials();
        if (credentials instanceof ServiceAccountSigner s) {
            return s;
        }
        if (config.usesGcsEmulator()) {
            return new EmulatorSigner();
        }
        return null;
    }
}
