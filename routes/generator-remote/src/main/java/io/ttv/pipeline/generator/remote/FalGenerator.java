package io.ttv.pipeline.generator.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ttv.pipeline.generator.GenerationException;
import io.ttv.pipeline.generator.GenerationRequest;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * fal.ai queue API: {@code POST {base}/{model}} (answer: {@code request_id}, {@code status_url},
 * {@code response_url}, {@code cancel_url}), then {@code GET status_url?logs=1} until {@code COMPLETED}
 * ({@code IN_QUEUE} with {@code queue_position}, {@code IN_PROGRESS}), then {@code GET response_url} whose
 * {@code video.url} is downloaded; cancel is {@code PUT cancel_url}. Auth: {@code Authorization: Key …}.
 */
public final class FalGenerator extends RemoteVideoGenerator<FalGenerator.Task> {
    public static final String NAME = "fal";

    record Task(String requestId, URI status, URI response, URI cancel) {
    }

    public FalGenerator(RemoteOptions options, HttpClient client, ObjectMapper mapper) {
        super(NAME, "fal.ai", options, client, mapper);
    }

    @Override
    protected Map<String, String> auth() {
        return Map.of("Authorization", "Key " + options.apiKey());
    }

    @Override
    protected Submitted<Task> submit(GenerationRequest request, long deadline)
            throws GenerationException, InterruptedException {
        ObjectNode body = http.mapper().createObjectNode();
        body.put("prompt", request.prompt());
        body.put("aspect_ratio", request.aspectRatio());
        body.put("duration", String.valueOf(options.model().contains("kling")
                ? nearest(request.durationSeconds(), 5, 10) : (int) Math.round(request.durationSeconds())));
        if (request.seed() != null) {
            body.put("seed", request.seed());
        }
        merge(body, request);
        JsonNode answer = http.call("POST", uri("/" + options.model()), auth(), Map.of(), body, deadline);
        String id = text(answer, "/request_id");
        Task task = new Task(id, uri(text(answer, "/status_url")), uri(text(answer, "/response_url")),
                answer.hasNonNull("cancel_url") ? uri(text(answer, "/cancel_url")) : null);
        return new Submitted<>(task, id, null);
    }

    @Override
    protected Status poll(Task task, long deadline) throws GenerationException, InterruptedException {
        String s = task.status().toString();
        URI url = uri(s + (s.contains("?") ? "&" : "?") + "logs=1");
        JsonNode answer = http.call("GET", url, auth(), Map.of(), null, deadline);
        String status = text(answer, "/status");
        return switch (status) {
            case "IN_QUEUE" -> Status.queued(answer.has("queue_position")
                    ? "queued at position " + answer.get("queue_position").asInt() : "queued");
            case "IN_PROGRESS" -> Status.running(null, lastLog(answer));
            case "COMPLETED" -> answer.hasNonNull("error")
                    ? Status.failed(new GenerationException("fal.ai could not generate the video: "
                    + http.redact(answer.get("error").asText()), false, null))
                    : Status.succeeded(answer);
            case "FAILED", "CANCELED", "CANCELLED" -> Status.failed(new GenerationException(
                    "fal.ai ended the request as " + status, false, null));
            default -> throw http.malformed("unknown status " + http.redact(status), null);
        };
    }

    @Override
    protected void cancel(Task task, Duration timeout) throws GenerationException, InterruptedException {
        if (task.cancel() != null) {
            http.send("PUT", task.cancel(), auth(), Map.of(), null, timeout);
        }
    }

    @Override
    protected void result(Task task, Status done, Path output, Progress progress, long deadline)
            throws GenerationException, InterruptedException {
        JsonNode answer = http.call("GET", task.response(), auth(), Map.of(), null, deadline);
        JsonNode url = answer.at("/video/url");
        if (!url.isTextual()) {
            if (answer.hasNonNull("detail")) {
                throw new GenerationException("fal.ai could not generate the video: "
                        + http.redact(answer.get("detail").toString()), false, null);
            }
            throw http.malformed("no video.url", null);
        }
        download(uri(url.asText()), output, progress, deadline);
    }

    private String lastLog(JsonNode answer) {
        JsonNode logs = answer.path("logs");
        if (logs.isArray() && !logs.isEmpty()) {
            JsonNode last = logs.get(logs.size() - 1).path("message");
            if (last.isTextual()) {
                return http.redact(last.asText());
            }
        }
        return "in progress";
    }
}
