package io.ttv.pipeline.intake;

import io.ttv.pipeline.core.http.Api;
import io.ttv.pipeline.core.http.ApiException;

import io.ttv.pipeline.core.domain.JobStatus;
import io.ttv.pipeline.core.domain.Timestamps;
import io.ttv.pipeline.core.gcs.ArtifactStore;
import org.apache.camel.Exchange;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code GET /v1/jobs/{id}/artifact}: a signed, expiring download link to a finished job's video. */
public class ArtifactLinks {
    static final int MIN_EXPIRY = 60;
    static final int MAX_EXPIRY = 604_800;
    static final int DEFAULT_EXPIRY = 3600;
    static final int MAX_COMPAT_EXPIRY = 86_400;

    private final Api api;
    private final ArtifactStore artifacts;

    public ArtifactLinks(Api api, ArtifactStore artifacts) {
        this.api = api;
        this.artifacts = artifacts;
    }

    /** Validates the query before Redis is read. */
    public long expiresIn(Exchange exchange) {
        return Api.queryInt(exchange.getMessage().getHeader("expires_in", String.class), "expires_in",
                MIN_EXPIRY, MAX_EXPIRY, DEFAULT_EXPIRY);
    }

    /** {@code GET /jobs/{id}/video-url}: validates {@code expiration_seconds} (60..86400) before Redis is read. */
    public long expirationSeconds(Exchange exchange) {
        return Api.queryInt(exchange.getMessage().getHeader("expiration_seconds", String.class),
                "expiration_seconds", MIN_EXPIRY, MAX_COMPAT_EXPIRY, DEFAULT_EXPIRY);
    }

    /** The Python service's answer: {@code {video_url, expires_at, expiration_seconds, mime_type}}; not finished → 400. */
    public void respondCompat(Exchange exchange) {
        long expiresIn = exchange.getProperty(IntakeRoutes.EXPIRES_IN, Long.class);
        Map<String, String> job = JobIntake.hash(exchange);
        if (!JobStatus.FINISHED.wire().equals(job.get("status"))) {
            throw new ApiException(400, "ArtifactNotReady", "The job has not finished; there is no video yet",
                    Map.of("current_status", job.get("status")), false);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("video_url", signedUrl(job, expiresIn));
        body.put("expires_at", Timestamps.format(Instant.now().plusSeconds(expiresIn)));
        body.put("expiration_seconds", expiresIn);
        body.put("mime_type", ArtifactStore.VIDEO_CONTENT_TYPE);
        api.respondJob(exchange, 200, body);
    }

    private String signedUrl(Map<String, String> job, long expiresIn) {
        return artifacts.signedUrl(artifacts.objectName(job.get("gcs_uri")), expiresIn).toString();
    }

    public void respond(Exchange exchange) {
        long expiresIn = exchange.getProperty(IntakeRoutes.EXPIRES_IN, Long.class);
        boolean redirect = "true".equalsIgnoreCase(exchange.getMessage().getHeader("redirect", String.class));
        Map<String, String> job = JobIntake.hash(exchange);
        if (!JobStatus.FINISHED.wire().equals(job.get("status"))) {
            throw new ApiException(404, "ArtifactNotReady", "The job has no artifact yet",
                    Map.of("current_status", job.get("status")), false);
        }
        String url = signedUrl(job, expiresIn);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("gcs_uri", job.get("gcs_uri"));
        body.put("url", url);
        body.put("expires_in", expiresIn);
        body.put("expires_at", Timestamps.format(Instant.now().plusSeconds(expiresIn)));
        body.put("content_type", job.getOrDefault("content_type", ArtifactStore.VIDEO_CONTENT_TYPE));
        body.put("size_bytes", job.containsKey("size_bytes") ? Long.valueOf(job.get("size_bytes")) : null);
        body.put("sha256", job.get("sha256"));
        api.respondJob(exchange, redirect ? 302 : 200, body);
        if (redirect) {
            exchange.getMessage().setHeader("Location", url);
        }
    }
}
