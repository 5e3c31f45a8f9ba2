package io.ttv.pipeline.core.http;

import io.ttv.pipeline.core.domain.CreateJobRequest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON schemas of the API's bodies (docs/api.md), named as in {@link io.ttv.pipeline.core.http.ApiSchemas}.
 * Response schemas list every field as required: absent values are {@code null}, never missing.
 */
final class ApiSchemaCatalog {
    private static final List<String> STATUSES = List.of("queued", "started", "progress", "finished", "failed",
            "canceled");

    private ApiSchemaCatalog() {
    }

    static Map<String, Object> schemas() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("CreateJob", object(false, List.of("prompt"),
                "prompt", withLength(type("string"), 1, CreateJobRequest.MAX_PROMPT_LENGTH,
                        "Trimmed, whitespace runs collapsed; 1..2000 characters after that"),
                "generator", describe(type("string"), "A configured generator (default from configuration)"),
                "duration_seconds", range(type("number"), 1, 60),
                "aspect_ratio", enumOf(CreateJobRequest.ASPECT_RATIOS.stream().sorted().toList()),
                "seed", type("integer"),
                "callback_url", describe(type("string"), "Absolute https:// URL (http:// only when configured)"),
                "callback_events", Map.of("type", "array", "items", enumOf(CreateJobRequest.EVENT_TYPES),
                        "uniqueItems", true),
                "metadata", describe(type("object"), "Any JSON object up to 4 KiB, echoed on the job")));
        s.put("Accepted", object(true, null,
                "id", uuid(),
                "status", enumOf(List.of("queued")),
                "created_at", timestamp()));
        s.put("Job", object(true, null,
                "id", uuid(),
                "status", enumOf(STATUSES),
                "progress", range(type("integer"), 0, 100),
                "created_at", timestamp(),
                "started_at", nullable(timestamp()),
                "finished_at", nullable(timestamp()),
                "gcs_uri", nullable(type("string")),
                "error", nullable(type("string")),
                "retryable", nullable(type("boolean")),
                "generator", nullable(type("string")),
                "attempts", type("integer"),
                "metadata", nullable(type("object")),
                "prompt", nullable(type("string")),
                "duration_seconds", nullable(type("number")),
                "aspect_ratio", nullable(type("string")),
                "seed", nullable(type("integer"))));
        s.put("JobList", object(true, null,
                "jobs", Map.of("type", "array", "items", ref("Job")),
                "next_cursor", nullable(type("string"))));
        s.put("JobArray", Map.of("type", "array", "items", ref("Job")));
        s.put("Logs", object(true, null,
                "job_id", uuid(),
                "lines", Map.of("type", "array", "items", type("string"))));
        s.put("Artifact", object(true, null,
                "gcs_uri", type("string"),
                "url", type("string"),
                "expires_in", type("integer"),
                "expires_at", timestamp(),
                "content_type", type("string"),
                "size_bytes", nullable(type("integer")),
                "sha256", nullable(type("string"))));
        s.put("VideoUrl", object(true, null,
                "video_url", type("string"),
                "expires_at", timestamp(),
                "expiration_seconds", type("integer"),
                "mime_type", enumOf(List.of("video/mp4"))));
        s.put("DeadLetterList", object(true, null,
                "dead_letters", Map.of("type", "array", "items", object(true, null,
                        "id", describe(type("string"), "<job id>_<event>"),
                        "job_id", uuid(),
                        "event", enumOf(CreateJobRequest.EVENT_TYPES),
                        "target", describe(type("string"), "The callback URL given up on"),
                        "error", describe(type("string"), "The last attempt's failure"),
                        "failed_at", timestamp(),
                        "attempts", nullable(type("integer"))))));
        s.put("Replayed", object(false, List.of("replayed"),
                "id", describe(type("string"), "The dead letter replayed (replay of one)"),
                "replayed", describe(type("integer"), "Callbacks queued for delivery again"),
                "message", type("string")));
        s.put("Error", object(true, null,
                "error", describe(type("string"), "ValidationError, Unauthorized, JobNotFound, NotFound, "
                        + "ArtifactNotReady, MethodNotAllowed, JobAlreadyTerminal, IdempotencyConflict, "
                        + "IdempotencyKeyReused, PayloadTooLarge, UnsupportedMediaType, RateLimitExceeded, "
                        + "RedisUnavailable, StorageUnavailable, InternalError"),
                "message", type("string"),
                "details", type("object"),
                "timestamp", timestamp(),
                "request_id", type("string"),
                "retryable", type("boolean")));
        s.put("Health", object(false, List.of("status", "timestamp", "version", "components"),
                "status", enumOf(List.of("healthy", "unhealthy")),
                "timestamp", timestamp(),
                "version", type("string"),
                "components", type("object")));
        s.put("Readiness", object(false, List.of("status", "timestamp", "version", "components"),
                "status", enumOf(List.of("ready", "not_ready")),
                "timestamp", timestamp(),
                "version", type("string"),
                "components", Map.of("type", "object", "additionalProperties",
                        enumOf(List.of("healthy", "unhealthy", "disabled"))),
                "details", type("object")));
        s.put("Root", object(true, null,
                "name", type("string"),
                "version", type("string"),
                "description", type("string"),
                "docs_url", type("string"),
                "flows", describe(new LinkedHashMap<>(Map.of("type", "object", "additionalProperties",
                        describe(type("string"), "The bundle contributing the flow: \"<bundle symbolic name> "
                                + "<bundle version>\""))),
                        "The flows running on this node now, by name (intake, processing, ...)")));
        return s;
    }

    /** An object schema from name, schema pairs; {@code allRequired} or the given required list. */
    private static Map<String, Object> object(boolean allRequired, List<String> required, Object... properties) {
        Map<String, Object> props = new LinkedHashMap<>();
        for (int i = 0; i < properties.length; i += 2) {
            props.put((String) properties[i], properties[i + 1]);
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("type", "object");
        o.put("properties", props);
        o.put("required", allRequired ? List.copyOf(props.keySet()) : required);
        o.put("additionalProperties", false);
        return o;
    }

    private static Map<String, Object> type(String type) {
        return new LinkedHashMap<>(Map.of("type", type));
    }

    private static Map<String, Object> describe(Map<String, Object> schema, String description) {
        schema.put("description", description);
        return schema;
    }

    private static Map<String, Object> withLength(Map<String, Object> schema, int min, int max, String description) {
        schema.put("minLength", min);
        schema.put("maxLength", max);
        return describe(schema, description);
    }

    private static Map<String, Object> range(Map<String, Object> schema, int min, int max) {
        schema.put("minimum", min);
        schema.put("maximum", max);
        return schema;
    }

    private static Map<String, Object> enumOf(List<String> values) {
        return new LinkedHashMap<>(Map.of("type", "string", "enum", values));
    }

    private static Map<String, Object> nullable(Map<String, Object> schema) {
        schema.put("nullable", true);
        return schema;
    }

    private static Map<String, Object> uuid() {
        return new LinkedHashMap<>(Map.of("type", "string", "format", "uuid"));
    }

    private static Map<String, Object> timestamp() {
        return new LinkedHashMap<>(Map.of("type", "string", "format", "date-time"));
    }

    private static Map<String, Object> ref(String name) {
        return Map.of("$ref", "#/components/schemas/" + name);
    }
}
