package io.ttv.pipeline.core.config;

import java.util.ArrayList;
import java.util.List;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code ttv.generators} settings of the remote backends (the default generator name stays in
 * {@link PipelineConfig#defaultGenerator()}). {@link #toString()} never shows a key or token.
 */
public record GeneratorSettings(
        Duration pollInterval,
        Duration pollMaxInterval,
        int maxPolls,
        Duration httpTimeout,
        long downloadMaxBytes,
        Backend fal,
        Backend replicate,
        int replicateWaitSeconds,
        Backend runway,
        Backend minimax,
        Backend veo,
        Path veoCredentials,
        String veoProject,
        String veoLocation,
        String veoOutputGcsUri) {

    /**
     * One backend's connection settings.
     *
     * @param apiKey  the provider key (Veo: a static OAuth access token); empty = not configured
     * @param baseUrl without a trailing slash; empty only for Veo (= the regional Vertex AI endpoint)
     */
    public record Backend(String name, String apiKey, String baseUrl, String model, Duration timeout) {
        public boolean hasKey() {
            return !apiKey.isEmpty();
        }

        @Override
        public String toString() {
            return "Backend[name=" + name + ", apiKey=" + (apiKey.isEmpty() ? "" : "***") + ", baseUrl=" + baseUrl
                    + ", model=" + model + ", timeout=" + timeout + "]";
        }
    }

    /** The built-in renderer's name, always enabled. */
    public static final String LOCAL = "local";

    /** The generators these settings enable, in a stable order: local, then each remote backend that has its key. */
    public List<String> enabled() {
        List<String> names = new ArrayList<>(List.of(LOCAL));
        for (Backend b : List.of(fal, replicate, runway, minimax)) {
            if (b.hasKey()) {
                names.add(b.name());
            }
        }
        if (veoConfigured()) {
            names.add(veo.name());
        }
        return names;
    }

    /** Veo is available with a credentials file or a static token, and needs a project. */
    public boolean veoConfigured() {
        return veo.hasKey() || veoCredentials != null;
    }

    @Override
    public String toString() {
        return "GeneratorSettings[fal=" + fal + ", replicate=" + replicate + ", runway=" + runway + ", minimax="
                + minimax + ", veo=" + veo + ", veoProject=" + veoProject + ", veoLocation=" + veoLocation + "]";
    }
}
