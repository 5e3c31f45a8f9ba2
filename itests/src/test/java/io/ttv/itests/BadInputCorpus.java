package io.ttv.itests;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A request the API must refuse with a 4xx and the error body, creating nothing. */
record BadRequest(String name, String method, String path, String contentType, byte[] body,
                  Map<String, String> headers) {
}

/**
 * Requests no client should get a 5xx or a job for: malformed and truncated JSON, wrong types, values just past
 * every bound, huge numbers, unicode edge cases, oversized bodies, wrong content types, odd ids and paths,
 * header injection attempts and wrong methods.
 */
final class BadInputCorpus {
    private static final String JSON = "application/json";
    private static final String VALID = "{\"prompt\":\"a fox\",\"duration_seconds\":5,\"aspect_ratio\":\"16:9\"}";

    private BadInputCorpus() {
    }

    static List<BadRequest> requests() {
        List<BadRequest> all = new ArrayList<>();
        // Malformed and truncated JSON: every proper prefix of a valid body.
        for (int i = 0; i < VALID.length(); i += 3) {
            all.add(post("truncated at " + i, VALID.substring(0, i)));
        }
        for (String body : List.of("{", "}", "[", "]", "{]", "{\"prompt\"}", "{\"prompt\":}", "{prompt:\"x\"}",
                "{'prompt':'x'}", "{\"prompt\":\"x\",}", "{\"prompt\":\"x\"}}", "{\"prompt\":\"x\"} {}", "null", "true",
                "42", "\"prompt\"", "[{\"prompt\":\"x\"}]", "{\"prompt\":\"x\" \"seed\":1}", "{\"prompt\":\"\\q\"}",
                "{\"prompt\":\"\\u12\"}", "{\"prompt\":NaN}", "{\"prompt\":\"x\",\"seed\":Infinity}", "/* */{}",
                "{\"prompt\":\"x\"}\u0000", "\uFEFF{\"prompt\":\"x\"}x", "{\"prompt\":\"x\",\"prompt\":}")) {
            all.add(post("malformed " + body, body));
        }
        // Wrong types for every field.
        String[][] wrongTypes = {
                {"prompt", "7"}, {"prompt", "true"}, {"prompt", "null"}, {"prompt", "[\"x\"]"}, {"prompt", "{}"},
                {"generator", "1"}, {"generator", "[]"}, {"generator", "\"no-such-generator\""},
                {"duration_seconds", "\"5\""}, {"duration_seconds", "true"}, {"duration_seconds", "[5]"},
                {"aspect_ratio", "169"}, {"aspect_ratio", "\"4:3\""}, {"aspect_ratio", "\"16:9 \""},
                {"seed", "\"7\""}, {"seed", "1.5"}, {"seed", "[]"}, {"seed", "{}"},
                {"callback_url", "5"}, {"callback_url", "\"not a url\""}, {"callback_url", "\"ftp://x.example/\""},
                {"callback_url", "\"https://\""}, {"callback_url", "\"javascript:alert(1)\""},
                {"callback_url", "\"http://example.com/hook\""}, {"callback_url", "\"https://127.0.0.1/hook\""},
                {"callback_url", "\"https://169.254.169.254/latest/meta-data\""},
                {"callback_events", "\"finished\""}, {"callback_events", "[\"exploded\"]"}, {"callback_events", "[1]"},
                {"metadata", "\"text\""}, {"metadata", "[1,2]"}, {"metadata", "7"},
                {"unknown_field", "1"}, {"Prompt", "\"x\""}, {"__proto__", "{}"},
        };
        for (String[] w : wrongTypes) {
            String body = w[0].equals("prompt") ? "{\"prompt\":" + w[1] + "}"
                    : "{\"prompt\":\"a fox\",\"" + w[0] + "\":" + w[1] + "}";
            all.add(post("wrong " + w[0] + " " + w[1], body));
        }
        // Values just past every bound, and huge numbers.
        for (String v : List.of("0", "0.99", "60.01", "61", "-1", "1e309", "-1e309", "1e400", "100000000000000000000",
                "9223372036854775808", "-0.0")) {
            all.add(post("duration " + v, "{\"prompt\":\"x\",\"duration_seconds\":" + v + "}"));
        }
        for (String v : List.of("9223372036854775808", "-9223372036854775809", "1e30", "12345678901234567890123")) {
            all.add(post("seed " + v, "{\"prompt\":\"x\",\"seed\":" + v + "}"));
        }
        all.add(post("prompt 2001 chars", "{\"prompt\":\"" + "p".repeat(2001) + "\"}"));
        all.add(post("prompt 2001 chars after collapsing", "{\"prompt\":\"" + "p ".repeat(1000) + "pp\"}"));
        all.add(post("prompt empty", "{\"prompt\":\"\"}"));
        all.add(post("prompt only spaces", "{\"prompt\":\"    \"}"));
        all.add(post("prompt only whitespace kinds", "{\"prompt\":\"\\t\\n\\r \"}"));
        all.add(post("prompt missing", "{\"seed\":1}"));
        all.add(post("empty object", "{}"));
        all.add(post("metadata over 4 KiB", "{\"prompt\":\"x\",\"metadata\":{\"k\":\"" + "m".repeat(4100) + "\"}}"));
        all.add(post("deep nesting", "{\"prompt\":\"x\",\"metadata\":" + "{\"a\":".repeat(3000) + "1"
                + "}".repeat(3000) + "}"));
        all.add(post("callback_url 3000 chars", "{\"prompt\":\"x\",\"callback_url\":\"https://example.com/"
                + "a".repeat(3000) + "\"}"));
        // Unicode edge cases that must still be refused for another reason (an unknown field rides along).
        for (String u : List.of("\\ud800", "\\udc00", "\\u0000", "\\u202e", "\\ufeff", "😀", "\\ud83d\\ude00", "ᄀᄀᄀ",
                "e\\u0301", "\\u200b\\u200b")) {
            all.add(post("unicode " + u, "{\"prompt\":\"" + u + "\",\"extra\":1}"));
        }
        all.add(new BadRequest("invalid UTF-8", "POST", "/v1/jobs", JSON,
                new byte[]{'{', '"', 'p', 'r', 'o', 'm', 'p', 't', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'},
                Map.of()));
        all.add(new BadRequest("lone surrogate prompt", "POST", "/v1/jobs", JSON,
                "{\"prompt\":\"\\ud800\"}".getBytes(StandardCharsets.UTF_8), Map.of()));
        // Oversized bodies.
        all.add(post("2 MiB body", "{\"prompt\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}"));
        all.add(post("1 MiB + 1 body", " ".repeat(1024 * 1024 + 1)));
        // Content types.
        for (String ct : List.of("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                "application/xml", "application/jsonx", "json", "*/*", "application/javascript", "")) {
            all.add(new BadRequest("content type '" + ct + "'", "POST", "/v1/jobs", ct.isEmpty() ? null : ct,
                    VALID.getBytes(StandardCharsets.UTF_8), Map.of()));
        }
        all.add(new BadRequest("no body", "POST", "/v1/jobs", JSON, null, Map.of()));
        // Odd ids and paths.
        for (String id : List.of("1", "not-a-uuid", "00000000-0000-4000-8000-000000000000",
                "00000000-0000-0000-0000-000000000000", "AAAAAAAA-AAAA-4AAA-8AAA-AAAAAAAAAAAA", "%2e%2e%2f%2e%2e%2fetc",
                "..%2F..%2Fetc%2Fpasswd", "%00", "%0d%0aSet-Cookie:%20x=1", "%3Cscript%3E", "'%20OR%201=1--",
                "*", "rq:queue:default", "%F0%9F%98%80", "a".repeat(300))) {
            all.add(new BadRequest("get id " + id, "GET", "/v1/jobs/" + id, null, null, Map.of()));
            all.add(new BadRequest("cancel id " + id, "POST", "/v1/jobs/" + id + "/cancel", null, null, Map.of()));
        }
        for (String path : List.of("/v1/jobs/x/logs?tail=-1", "/v1/jobs/x/artifact?expires_in=abc",
                "/v1/jobs?limit=0", "/v1/jobs?limit=101", "/v1/jobs?limit=abc", "/v1/jobs?status=done",
                "/v1/jobs?cursor=%25%25%25", "/v1/jobs?cursor=bm90LWEtY3Vyc29y", "/jobs?offset=-5", "/jobs?limit=1000",
                "/v1/jobs/00000000-0000-4000-8000-000000000000?wait=31", "/v1/jobs/00000000-0000-4000-8000-000000000000?wait=-1",
                "/v2/jobs", "/v1/job", "/v1/jobs/a/b/c/d", "/..%2f..%2fetc/passwd", "/static/../../etc/passwd",
                "/v1/jobs/%2e%2e/%2e%2e/metrics/x", "/%00", "/jobs/x/video-url?expiration_seconds=0")) {
            all.add(new BadRequest("path " + path, "GET", path, null, null, Map.of()));
        }
        // Header injection and hostile headers on a request that is otherwise refused.
        for (Map<String, String> h : List.of(
                Map.of("X-Request-ID", "abc def"), Map.of("X-Request-ID", "x".repeat(5000)),
                Map.of("X-Request-ID", "<script>alert(1)</script>"), Map.of("Idempotency-Key", "k".repeat(256)),
                Map.of("Idempotency-Key", "key with spaces"), Map.of("Authorization", "Bearer wrong-key"),
                Map.of("Authorization", "Basic a2FyYWY6a2FyYWY="), Map.of("X-API-Key", "wrong-key"),
                Map.of("Authorization", "Bearer"), Map.of("X-Forwarded-For", "1.2.3.4, <script>"))) {
            all.add(new BadRequest("headers " + h.keySet() + " " + h.values().iterator().next().length(), "POST",
                    "/v1/jobs", JSON, h.containsKey("Idempotency-Key") ? VALID.getBytes(StandardCharsets.UTF_8)
                    : "{\"prompt\":1}".getBytes(StandardCharsets.UTF_8), h));
        }
        // Wrong methods.
        for (String[] m : new String[][]{{"PUT", "/v1/jobs"}, {"DELETE", "/v1/jobs"}, {"PATCH", "/v1/jobs"},
                {"DELETE", "/v1/jobs/00000000-0000-4000-8000-000000000000"}, {"PUT", "/jobs"},
                {"GET", "/v1/jobs/00000000-0000-4000-8000-000000000000/cancel"}, {"POST", "/healthz"},
                {"POST", "/metrics"}, {"DELETE", "/readyz"}, {"POST", "/jobs/x/video-url"}, {"PUT", "/openapi.json"}}) {
            all.add(new BadRequest("method " + m[0] + " " + m[1], m[0], m[1], JSON,
                    VALID.getBytes(StandardCharsets.UTF_8), Map.of()));
        }
        return all;
    }

    private static BadRequest post(String name, String body) {
        return new BadRequest(name, "POST", "/v1/jobs", JSON, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }
}
