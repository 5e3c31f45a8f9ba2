package io.ttv.pipeline.generator.remote;

import io.ttv.pipeline.core.config.GeneratorSettings;

import java.time.Duration;

/**
 * What one remote backend needs to talk to its provider. {@link #toString()} hides the key.
 *
 * @param apiKey           provider credential (never logged, never in an exception message)
 * @param baseUrl          provider endpoint, without a trailing slash
 * @param model            provider model id
 * @param timeout          time limit of one whole generation (submit to downloaded file)
 * @param pollInterval     first wait between two status polls; grows by half per poll
 * @param pollMaxInterval  longest wait between two polls
 * @param maxPolls         poll budget of one task
 * @param httpTimeout      time limit of one HTTP request (a download: until its headers arrive)
 * @param maxDownloadBytes largest result accepted
 */
public record RemoteOptions(String apiKey, String baseUrl, String model, Duration timeout, Duration pollInterval,
                            Duration pollMaxInterval, int maxPolls, Duration httpTimeout, long maxDownloadBytes) {

    public RemoteOptions {
        baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    static RemoteOptions of(GeneratorSettings g, GeneratorSettings.Backend b, String baseUrl) {
        return new RemoteOptions(b.apiKey(), baseUrl, b.model(), b.timeout(), g.pollInterval(), g.pollMaxInterval(),
                g.maxPolls(), g.httpTimeout(), g.downloadMaxBytes());
    }

    public RemoteOptions withBaseUrl(String url) {
        return new RemoteOptions(apiKey, url, model, timeout, pollInterval, pollMaxInterval, maxPolls, httpTimeout,
                maxDownloadBytes);
    }

    @Override
    public String toString() {
        return "RemoteOptions[baseUrl=" + baseUrl + ", model=" + model + ", timeout=" + timeout + ", pollInterval="
                + pollInterval + ", maxPolls=" + maxPolls + ", maxDownloadBytes=" + maxDownloadBytes + "]";
    }
}
