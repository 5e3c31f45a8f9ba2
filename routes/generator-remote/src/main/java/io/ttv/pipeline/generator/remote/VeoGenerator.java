package io.ttv.pipeline.generator.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ttv.pipeline.generator.GenerationException;
import io.ttv.pipeline.generator.GenerationRequest;

import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

/**
 * Vertex AI Veo long-running predictions: {@code POST {base}/v1/projects/{p}/locations/{l}/publishers/google/models/
 * {model}:predictLongRunning} with {@code instances[{prompt}]} and {@code parameters} ({@code durationSeconds},
 * {@code aspectRatio}, {@code sampleCount}, {@code seed}, {@code storageUri}) answers an operation {@code name};
 * {@code POST …/{model}:fetchPredictOperation} with {@code {operationName}} until {@code done}. The result is
 * {@code response.videos[0].gcsUri} (read through the injected {@link GcsReader}) or
 * {@code response.videos[0].bytesBase64Encoded}; {@code error} ({@code google.rpc.Status}) ends it: codes 4
 * (deadline), 8 (resource exhausted), 10 (aborted), 13 (internal), 14 (unavailable) are retryable, others not.
 * Auth: an OAuth bearer token from {@link AccessTokens}. The Veo API documents no cancel for these operations: a
 * canceled generation stops polling.
 */
public final class VeoGenerator extends RemoteVideoGenerator<String> {
    public static final String NAME = "veo";
    private static final Set<Integer> RETRYABLE_CODES = Set.of(4, 8, 10, 13, 14);

    /** Supplies OAuth access tokens (a static one, or refreshed from service-account credentials). */
    @FunctionalInterface
    public interface AccessTokens {
        String token() throws IOException;
    }

    /** Reads a {@code gs://} object into a local file, refusing one larger than {@code maxBytes}. */
    @FunctionalInterface
    public interface GcsReader {
        void read(String gsUri, Path target, long maxBytes) throws IOException, GenerationException;
    }

    private final String modelPath;
    private final String outputGcsUri;
    private final AccessTokens tokens;
    private final GcsReader gcs;

    /**
     * @param options      its base URL is the Vertex AI endpoint, e.g. {@code https://us-central1-aiplatform.googleapis.com}
     * @param outputGcsUri {@code gs://} prefix for {@code storageUri}, or empty for inline bytes
     */
    public VeoGenerator(RemoteOptions options, String project, String location, String outputGcsUri,
                        AccessTokens tokens, GcsReader gcs, HttpClient client, ObjectMapper mapper) {
        super(NAME, "Vertex AI Veo", options, client, mapper);
        this.modelPath = "/v1/projects/" + project + "/locations/" + location + "/publishers/google/models/"
                + options.model();
        this.outputGcsUri = outputGcsUri == null ? "" : outputGcsUri;
        this.tokens = tokens;
        this.gcs = gcs;
    }

    @Override
    protected Map<String, String> auth() throws GenerationException {
        try {
            return Map.of("Authorization", "Bearer " + tokens.token());
        } catch (IOException | RuntimeException e) {
            throw new GenerationException("Could not obtain Google credentials for Vertex AI Veo", true, null);
        }
    }

    @Override
    protected Submitted<String> submit(GenerationRequest request, long deadline)
            throws GenerationException, InterruptedException {
        ObjectNode body = http.mapper().createObjectNode();
        body.putArray("instances").addObject().put("prompt", request.prompt());
        ObjectNode parameters = body.putObject("parameters");
        parameters.put("durationSeconds", options.model().startsWith("veo-3")
                ? nearest(request.durationSeconds(), 4, 6, 8) : nearest(request.durationSeconds(), 5, 6, 7, 8));
        parameters.put("aspectRatio", request.aspectRatio());
        parameters.put("sampleCount", 1);
        if (request.seed() != null) {
            parameters.put("seed", request.seed() & 0xFFFFFFFFL);
        }
        if (!outputGcsUri.isEmpty()) {
            parameters.put("storageUri", outputGcsUri.endsWith("/") ? outputGcsUri
                    : outputGcsUri + "/" + (request.jobId() == null ? "" : request.jobId() + "/"));
        }
        merge(parameters, request);
        JsonNode answer = http.call("POST", uri(modelPath + ":predictLongRunning"), auth(), Map.of(), body, deadline);
        String name = text(answer, "/name");
        return new Submitted<>(name, name, null);
    }

    @Override
    protected Status poll(String operation, long deadline) throws GenerationException, InterruptedException {
        ObjectNode body = http.mapper().createObjectNode().put("operationName", operation);
        JsonNode op = http.call("POST", uri(modelPath + ":fetchPredictOperation"), auth(), Map.of(), body, deadline);
        if (!op.path("done").asBoolean(false)) {
            return Status.running(null, "running");
        }
        JsonNode error = op.path("error");
        if (error.isObject()) {
            int code = error.path("code").asInt(2);
            String msg = error.path("message").isTextual() ? ": " + http.redact(error.get("message").asText()) : "";
            return Status.failed(new GenerationException("Vertex AI Veo could not generate the video" + msg,
                    RETRYABLE_CODES.contains(code), null));
        }
        JsonNode video = op.at("/response/videos/0");
        if (video.isMissingNode()) {
            if (op.at("/response/raiMediaFilteredCount").asInt(0) > 0) {
                return Status.failed(new GenerationException("Vertex AI Veo refused the prompt (content filter)",
                        false, null));
            }
            throw http.malformed("done without response.videos", null);
        }
        return Status.succeeded(video);
    }

    @Override
    protected void result(String operation, Status done, Path output, Progress progress, long deadline)
            throws GenerationException, InterruptedException {
        JsonNode video = done.result();
        if (video.path("gcsUri").isTextual()) {
            try {
                gcs.read(video.get("gcsUri").asText(), output, options.maxDownloadBytes());
            } catch (IOException e) {
                ProviderHttp.deleteQuietly(output);
                throw new GenerationException("Reading the Veo video from Cloud Storage failed", true, null);
            }
            return;
        }
        if (video.path("bytesBase64Encoded").isTextual()) {
            String b64 = video.get("bytesBase64Encoded").asText();
            if ((long) b64.length() / 4 * 3 > options.maxDownloadBytes() + 2) {
                throw http.tooLarge(options.maxDownloadBytes());
            }
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(b64);
            } catch (IllegalArgumentException e) {
                throw http.malformed("invalid bytesBase64Encoded", e);
            }
            if (bytes.length > options.maxDownloadBytes()) {
                throw http.tooLarge(options.maxDownloadBytes());
            }
            try (OutputStream out = Files.newOutputStream(output)) {
                out.write(bytes);
            } catch (IOException e) {
                throw new GenerationException("Could not write the video", true, e);
            }
            return;
        }
        throw http.malformed("video without gcsUri or bytesBase64Encoded", null);
    }
}
