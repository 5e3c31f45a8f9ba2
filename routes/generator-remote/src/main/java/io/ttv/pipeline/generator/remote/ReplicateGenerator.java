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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replicate predictions API: {@code POST /v1/models/{owner}/{name}/predictions} (official models) or
 * {@code POST /v1/predictions} with a {@code version}, sent with {@code Prefer: wait=N} so that a quick prediction
 * is complete in the create answer; otherwise {@code GET urls.get} ({@code /v1/predictions/{id}}) until
 * {@code succeeded}, {@code failed} or {@code canceled} ({@code starting}, {@code processing} before). The output
 * is a URL or an array of URLs (the first is the video). Cancel: {@code POST urls.cancel}. Auth: Bearer.
 * Progress while processing is the last percentage printed in the prediction's logs, when there is one.
 */
public final class ReplicateGenerator extends RemoteVideoGenerator<ReplicateGenerator.Task> {
    public static final String NAME = "replicate";
    private static final Pattern PERCENT = Pattern.compile("(\\d{1,3})%");
    private static final Pattern VERSION = Pattern.compile("[0-9a-f]{64}");

    record Task(String id, URI get, URI cancel) {
    }

    private final int waitSeconds;

    public ReplicateGenerator(RemoteOptions options, int waitSeconds, HttpClient client, ObjectMapper mapper) {
        super(NAME, "Replicate", options, client, mapper);
        this.waitSeconds = waitSeconds;
    }

    @Override
    protected Map<String, String> auth() {
        return Map.of("Authorization", "Bearer " + options.apiKey());
    }

    @Override
    protected Submitted<Task> submit(GenerationRequest request, long deadline)
            throws GenerationException, InterruptedException {
        ObjectNode input = http.mapper().createObjectNode();
        input.put("prompt", request.prompt());
        input.put("aspect_ratio", request.aspectRatio());
        input.put("duration", (int) Math.round(request.durationSeconds()));
        if (request.seed() != null) {
            input.put("seed", request.seed());
        }
        merge(input, request);
        ObjectNode body = http.mapper().createObjectNode();
        String model = options.model();
        String path;
        if (model.contains(":") || VERSION.matcher(model).matches()) {
            body.put("version", model.substring(model.indexOf(':') + 1));
            path = "/v1/predictions";
        } else {
            path = "/v1/models/" + model + "/predictions";
        }
        body.set("input", input);
        Map<String, String> headers = waitSeconds > 0 ? Map.of("Prefer", "wait=" + waitSeconds) : Map.of();
        JsonNode answer = http.call("POST", uri(path), auth(), headers, body, deadline);
        Task task = task(answer);
        return new Submitted<>(task, task.id(), status(answer));
    }

    private Task task(JsonNode answer) throws GenerationException {
        String id = text(answer, "/id");
        JsonNode get = answer.at("/urls/get");
        JsonNode cancel = answer.at("/urls/cancel");
        return new Task(id, get.isTextual() ? uri(get.asText()) : uri("/v1/predictions/" + id),
                cancel.isTextual() ? uri(cancel.asText()) : uri("/v1/predictions/" + id + "/cancel"));
    }

    @Override
    protected Status poll(Task task, long deadline) throws GenerationException, InterruptedException {
        return status(http.call("GET", task.get(), auth(), Map.of(), null, deadline));
    }

    private Status status(JsonNode p) throws GenerationException {
        String status = text(p, "/status");
        return switch (status) {
            case "starting" -> Status.queued("starting");
            case "processing" -> Status.running(logProgress(p), "processing");
            case "succeeded" -> Status.succeeded(p);
            case "failed" -> Status.failed(new GenerationException("Replicate could not generate the video"
                    + (p.path("error").isTextual() ? ": " + http.redact(p.get("error").asText()) : ""), false, null));
            case "canceled" -> Status.failed(new GenerationException("Replicate canceled the prediction", false,
                    null));
            default -> throw http.malformed("unknown status " + http.redact(status), null);
        };
    }

    private static Double logProgress(JsonNode p) {
        JsonNode logs = p.path("logs");
        if (!logs.isTextual()) {
            return null;
        }
        Matcher m = PERCENT.matcher(logs.asText());
        Double last = null;
        while (m.find()) {
            int v = Integer.parseInt(m.group(1));
            if (v <= 100) {
                last = v / 100.0;
            }
        }
        return last;
    }

    @Override
    protected void cancel(Task task, Duration timeout) throws GenerationException, InterruptedException {
        http.send("POST", task.cancel(), auth(), Map.of(), null, timeout);
    }

    @Override
    protected void result(Task task, Status done, Path output, Progress progress, long deadline)
            throws GenerationException, InterruptedException {
        JsonNode out = done.result().path("output");
        if (out.isArray() && !out.isEmpty()) {
            out = out.get(0);
        }
        if (out.isObject() && out.path("video").isTextual()) {
            out = out.get("video");
        }
        if (!out.isTextual()) {
            throw http.malformed("no output URL", null);
        }
        download(uri(out.asText()), output, progress, deadline);
    }
}
