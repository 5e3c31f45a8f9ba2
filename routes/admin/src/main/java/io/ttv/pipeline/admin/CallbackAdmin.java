package io.ttv.pipeline.admin;

import io.ttv.pipeline.core.flow.AdminEndpoints;

import io.ttv.pipeline.core.http.Api;
import io.ttv.pipeline.core.http.ApiException;

import io.ttv.pipeline.ops.OperationException;
import io.ttv.pipeline.ops.PipelineOperations;
import org.apache.camel.Exchange;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The admin HTTP face of the callback dead letters: the same {@link PipelineOperations} the Karaf console's
 * {@code ttv:callbacks} and {@code ttv:callback-replay} use, its failures turned into the API's error answers.
 */
public class CallbackAdmin {
    private static final String VIA = "http";

    private final Api api;
    private final PipelineOperations ops;

    public CallbackAdmin(Api api, PipelineOperations ops) {
        this.api = api;
        this.ops = ops;
    }

    /** {@code GET /v1/admin/callbacks/dead-letters?limit=}: oldest first. */
    public void list(Exchange exchange) {
        int limit = Api.queryInt(exchange.getMessage().getHeader("limit", String.class), "limit", 1, AdminEndpoints.MAX_LIMIT,
                AdminEndpoints.DEFAULT_LIMIT);
        List<Map<String, Object>> entries = call(() -> ops.deadLetters(limit)).stream().map(CallbackAdmin::view)
                .toList();
        api.respond(exchange, 200, Map.of("dead_letters", entries));
    }

    /** {@code POST /v1/admin/callbacks/dead-letters/{id}/replay}. */
    public void replay(Exchange exchange) {
        String id = exchange.getMessage().getHeader("id", String.class);
        String message = call(() -> ops.replayCallback(id, VIA));
        api.respond(exchange, 200, Map.of("id", id, "replayed", 1, "message", message));
    }

    /** {@code POST /v1/admin/callbacks/dead-letters/replay}: every entry. */
    public void replayAll(Exchange exchange) {
        int sent = call(() -> ops.replayAllCallbacks(VIA));
        api.respond(exchange, 200, Map.of("replayed", sent));
    }

    private static Map<String, Object> view(PipelineOperations.DeadLetter d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.id());
        m.put("job_id", d.jobId());
        m.put("event", d.event());
        m.put("target", d.target());
        m.put("error", d.error());
        m.put("failed_at", d.failedAt());
        m.put("attempts", d.attempts() == null || d.attempts().isEmpty() ? null : Integer.valueOf(d.attempts()));
        return m;
    }

    private static <T> T call(Supplier<T> operation) {
        try {
            return operation.get();
        } catch (OperationException e) {
            throw switch (e.reason()) {
                case NOT_FOUND -> new ApiException(404, "NotFound", e.getMessage(), Map.of(), false);
                // Dead-letter operations refuse nothing (every node delivers callbacks): any other reason is invalid input.
                case INVALID, REFUSED -> new ApiException(400, "ValidationError", e.getMessage(), Map.of(), false);
            };
        }
    }
}
