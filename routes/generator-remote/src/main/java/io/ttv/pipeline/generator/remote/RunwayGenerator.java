package io.ttv.pipeline.generator.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ttv.pipeline.generator.GenerationException;
import io.ttv.pipeline.generator.GenerationRequest;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Runway API (version {@code 2024-11-06}): {@code POST /v1/text_to_video} ({@code model}, {@code promptText},
 * {@code ratio} in pixels, {@code duration}, {@code seed}) answers {@code {id}}; {@code GET /v1/tasks/{id}} until
 * {@code SUCCEEDED} ({@code PENDING}, {@code THROTTLED}, {@code RUNNING} with {@code progress} 0..1 before); the video
 * is {@code output[0]}. {@code FAILED} carries {@code failure} and {@code failureCode}: codes starting with
 * {@code INTERNAL} are retryable, the others (moderation, input) not. Cancel: {@code DELETE /v1/tasks/{id}}.
 */
public final class RunwayGenerator extends RemoteVideoGenerator<String> {
    public static final String NAME = "runway";
    static final String API_VERSION = "2024-11-06";

    public RunwayGenerator(RemoteOptions options, HttpClient client, ObjectMapper mapper) {
        super(NAME, "Runway", options, client, mapper);
    }

    @Override
    protected Map<String, String> auth() {
        return Map.of("Authorization", "Bearer " + options.apiKey(), "X-Runway-Version", API_VERSION);
    }

    static String ratio(String aspectRatio) {
        return switch (aspectRatio) {
            case "9:16" -> "720:1280";
            case "1:1" -> "960:960";
            default -> "1280:720";
        };
    }

    @Override
    protected Submitted<String> submit(GenerationRequest request, long deadline)
            throws GenerationException, InterruptedException {
        ObjectNode body = http.mapper().createObjectNode();
        body.put("model", options.model());
        body.put("promptText", request.prompt());
        body.put("ratio", ratio(request.aspectRatio()));
        body.put("duration", options.model().startsWith("veo") ? nearest(request.durationSeconds(), 4, 6, 8)
                : (int) Math.max(2, Math.min(10, Math.round(request.durationSeconds()))));
        if (request.seed() != null) {
            body.put("seed", request.seed());
        }
        merge(body, request);
        JsonNode answer = http.call("POST", uri("/v1/text_to_video"), auth(), Map.of(), body, deadline);
        String id = text(answer, "/id");
        return new Submitted<>(id, id, null);
    }

    @Override
    protected Status poll(String id, long deadline) throws GenerationException, InterruptedException {
        JsonNode t = http.call("GET", uri("/v1/tasks/" + id), auth(), Map.of(), null, deadline);
        String status = text(t, "/status");
        return switch (status) {
            case "PENDING" -> Status.queued("pending");
            case "THROTTLED" -> Status.queued("throttled by Runway");
            case "RUNNING" -> Status.running(t.path("progress").isNumber() ? t.get("progress").asDouble() : null,
                    "running");
            case "SUCCEEDED" -> Status.succeeded(t);
            case "FAILED" -> {
                String code = t.path("failureCode").asText("");
                String why = t.path("failure").isTextual() ? ": " + http.redact(t.get("failure").asText()) : "";
                yield Status.failed(new GenerationException("Runway could not generate the video" + why,
                        code.startsWith("INTERNAL"), null));
            }
            case "CANCELLED", "CANCELED" -> Status.failed(new GenerationException("Runway canceled the task", false,
                    null));
            default -> throw http.malformed("unknown status " + http.redact(status), null);
        };
    }

    @Override
    protected void cancel(String id, Duration timeout) throws GenerationException, InterruptedException {
        http.send("DELETE", uri("/v1/tasks/" + id), auth(), Map.of(), null, timeout);
    }

    @Override
    protected void result(String id, Status done, Path output, Progress progress, long deadline)
            throws GenerationException, InterruptedException {
        JsonNode url = done.result().at("/output/0");
        if (!url.isTextual()) {
            throw http.malformed("no output[0]", null);
        }
        download(uri(url.asText()), output, progress, deadline);
    }
}
