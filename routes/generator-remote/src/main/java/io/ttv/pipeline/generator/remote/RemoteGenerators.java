package io.ttv.pipeline.generator.remote;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import io.ttv.pipeline.core.config.ConfigException;
import io.ttv.pipeline.core.config.GeneratorSettings;
import io.ttv.pipeline.generator.VideoGenerator;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds the remote backends that are configured (their key, or for Veo credentials or a token, is set). */
public final class RemoteGenerators {
    static final String CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform";

    private RemoteGenerators() {
    }

    /** Name → generator, for each configured backend, in a stable order (fal, replicate, runway, minimax, veo). */
    public static Map<String, VideoGenerator> configured(GeneratorSettings g, ObjectMapper mapper,
                                                         VeoGenerator.GcsReader gcs) {
        Map<String, VideoGenerator> out = new LinkedHashMap<>();
        if (g.fal().hasKey()) {
            out.put(FalGenerator.NAME, new FalGenerator(RemoteOptions.of(g, g.fal(), g.fal().baseUrl()), null, mapper));
        }
        if (g.replicate().hasKey()) {
            out.put(ReplicateGenerator.NAME, new ReplicateGenerator(
                    RemoteOptions.of(g, g.replicate(), g.replicate().baseUrl()), g.replicateWaitSeconds(), null, mapper));
        }
        if (g.runway().hasKey()) {
            out.put(RunwayGenerator.NAME, new RunwayGenerator(RemoteOptions.of(g, g.runway(), g.runway().baseUrl()),
                    null, mapper));
        }
        if (g.minimax().hasKey()) {
            out.put(MinimaxGenerator.NAME, new MinimaxGenerator(RemoteOptions.of(g, g.minimax(), g.minimax().baseUrl()),
                    null, mapper));
        }
        if (g.veoConfigured()) {
            String base = g.veo().baseUrl().isEmpty()
                    ? "https://" + g.veoLocation() + "-aiplatform.googleapis.com" : g.veo().baseUrl();
            out.put(VeoGenerator.NAME, new VeoGenerator(RemoteOptions.of(g, g.veo(), base), g.veoProject(),
                    g.veoLocation(), g.veoOutputGcsUri(), tokens(g), gcs, null, mapper));
        }
        return out;
    }

    /** The static token if one is configured, else tokens refreshed from the service-account file. */
    static VeoGenerator.AccessTokens tokens(GeneratorSettings g) {
        if (g.veo().hasKey()) {
            String token = g.veo().apiKey();
            return () -> token;
        }
        GoogleCredentials credentials;
        try (InputStream in = Files.newInputStream(g.veoCredentials())) {
            credentials = GoogleCredentials.fromStream(in).createScoped(List.of(CLOUD_PLATFORM));
        } catch (IOException | RuntimeException e) {
            throw new ConfigException("Invalid configuration: TTV_VEO_CREDENTIALS: not a usable Google credentials "
                    + "file");
        }
        return () -> {
            synchronized (credentials) {
                credentials.refreshIfExpired();
                AccessToken token = credentials.getAccessToken();
                if (token == null) {
                    throw new IOException("no access token");
                }
                return token.getTokenValue();
            }
        };
    }
}
