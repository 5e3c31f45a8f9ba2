package io.ttv.pipeline.generator.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ttv.pipeline.generator.GenerationException;
import io.ttv.pipeline.generator.GenerationRequest;

import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * MiniMax video generation: {@code POST /v1/video_generation} ({@code model}, {@code prompt}, {@code duration})
 * answers {@code task_id}; {@code GET /v1/query/video_generation?task_id=} until {@code Success} with a
 * {@code file_id} ({@code Preparing}, {@code Queueing}, {@code Processing} before; {@code Fail} ends it);
 * {@code GET /v1/files/retrieve?file_id=} gives {@code file.download_url}. Every answer carries
 * {@code base_resp.status_code} (0 = success): 1000 (unknown), 1001 (timeout), 1002 (rate limit) and 1013
 * (internal error) are retryable, the others (1004 auth, 1008 balance, 1026/1027 sensitive content, 2013 invalid
 * parameters, …) are not. MiniMax documents no cancel: a canceled generation just stops polling.
 */
public final class MinimaxGenerator extends RemoteVideoGenerator<String> {
    public static final String NAME = "minimax";
    private static final Set<Integer> RETRYABLE_CODES = Set.of(1000, 1001, 1002, 1013);

    public MinimaxGenerator(RemoteOptions options, HttpClient client, ObjectMapper mapper) {
        super(NAME, "MiniMax", options, client, mapper);
    }

    @Override
    protected Map<String, String> auth() {
        return Map.of("Authorization", "Bearer " + options.apiKey());
    }

    @Override
    protected Submitted<String> submit(GenerationRequest request, long deadline)
            throws GenerationException, InterruptedException {
        ObjectNode body = http.mapper().createObjectNode();
        body.put("model", options.model());
        body.put("prompt", request.prompt());
        body.put("duration", nearest(request.durationSeconds(), 6, 10));
        merge(body, request);
        JsonNode answer = checked(http.call("POST", uri("/v1/video_generation"), auth(), Map.of(), body, deadline));
        String id = text(answer, "/task_id");
        return new Submitted<>(id, id, null);
    }

    @Override
    protected Status poll(String id, long deadline) throws GenerationException, InterruptedException {
        JsonNode t = checked(http.call("GET", uri("/v1/query/video_generation?task_id=" + enc(id)), auth(), Map.of(),
                null, deadline));
        String status = text(t, "/status");
        return switch (status) {
            case "Preparing", "Queueing" -> Status.queued(status.toLowerCase());
            case "Processing" -> Status.running(null, "processing");
            case "Success" -> Status.succeeded(t);
            case "Fail" -> Status.failed(new GenerationException("MiniMax could not generate the video", false,
                    null));
            default -> throw http.malformed("unknown status " + http.redact(status), null);
        };
    }

    @Override
    protected void result(String id, Status done, Path output, Progress progress, long deadline)
            throws GenerationException, InterruptedException {
        String fileId = text(done.result(), "/file_id");
        JsonNode file = checked(http.call("GET", uri("/v1/files/retrieve?file_id=" + enc(fileId)), auth(), Map.of(),
                null, deadline));
        download(uri(text(file, "/file/download_url")), output, progress, deadline);
    }

    /** Applies {@code base_resp}: a non-zero status code is an error even in an HTTP 200 answer. */
    private JsonNode checked(JsonNode answer) throws GenerationException {
        JsonNode base = answer.path("base_resp");
        if (base.isMissingNode()) {
            return answer;
        }
        if (!base.path("status_code").isIntegralNumber()) {
            throw http.malformed("base_resp without status_code", null);
        }
        int code = base.get("status_code").asInt();
        if (code == 0) {
            return answer;
        }
        String msg = base.path("status_msg").isTextual() ? ": " + http.redact(base.get("status_msg").asText()) : "";
        if (code == 1004 || code == 2049) {
            return fail("MiniMax refused the credentials (code " + code + ")", false);
        }
        return fail("MiniMax " + (RETRYABLE_CODES.contains(code) ? "is busy or failed" : "rejected the request")
                + " (code " + code + ")" + msg, RETRYABLE_CODES.contains(code));
    }

    private static JsonNode fail(String message, boolean retryable) throws GenerationException {
        throw new GenerationException(message, retryable, null);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
