package io.ttv.pipeline.core.domain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A validated {@code POST /v1/jobs} body (docs/api.md). Build it with {@link #parse}. */
public record CreateJobRequest(
        String prompt,
        String generator,
        double durationSeconds,
        String aspectRatio,
        Long seed,
        String callbackUrl,
        List<String> callbackEvents,
        JsonNode metadata) {

    public static final int MAX_PROMPT_LENGTH = 2000;
    public static final int MAX_METADATA_BYTES = 4096;
    public static final int MAX_CALLBACK_URL_LENGTH = 2048;
    public static final Set<String> ASPECT_RATIOS = Set.of("16:9", "9:16", "1:1");
    public static final List<String> EVENT_TYPES =
            List.of("started", "progress", "finished", "failed", "canceled");
    public static final List<String> DEFAULT_EVENTS = List.of("started", "finished", "failed", "canceled");
    private static final Set<String> FIELDS = Set.of("prompt", "generator", "duration_seconds", "aspect_ratio",
            "seed", "callback_url", "callback_events", "metadata");

    /** What the node allows; validation depends on it. */
    public record Rules(Set<String> generators, String defaultGenerator, boolean allowHttpCallbacks,
                        boolean allowPrivateCallbacks, CallbackTargets.Resolver resolver) {
        /** With the system resolver: a callback host's addresses are looked up at submit. */
        public Rules(Set<String> generators, String defaultGenerator, boolean allowHttpCallbacks,
                     boolean allowPrivateCallbacks) {
            this(generators, defaultGenerator, allowHttpCallbacks, allowPrivateCallbacks, CallbackTargets.SYSTEM);
        }
    }

    public static CreateJobRequest parse(byte[] body, ObjectMapper mapper, Rules rules) {
        JsonNode root;
        try {
            // Trailing content after the object ("{…}}", "{…} {}") is malformed, not ignored.
            root = body == null || body.length == 0 ? null
                    : mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(body);
        } catch (JsonProcessingException e) {
            throw invalid("Request body is not valid JSON", "body", e.getLocation() == null ? "malformed JSON"
                    : "malformed JSON at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        } catch (java.io.IOException e) {
            throw invalid("Request body could not be read", "body", "unreadable");
        }
        if (!(root instanceof ObjectNode obj)) {
            throw invalid("Request body must be a JSON object", "body", "expected a JSON object");
        }
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                unknown.add(f);
            }
        }
        if (!unknown.isEmpty()) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("unknown_fields", unknown);
            throw new ValidationException("Unknown field(s): " + String.join(", ", unknown), d);
        }

        String prompt = normalisePrompt(obj.get("prompt"));
        String generator = generator(obj.get("generator"), rules);
        double duration = duration(obj.get("duration_seconds"));
        String aspect = aspectRatio(obj.get("aspect_ratio"));
        Long seed = seed(obj.get("seed"));
        String callbackUrl = callbackUrl(obj.get("callback_url"), rules);
        List<String> events = callbackEvents(obj.get("callback_events"));
        JsonNode metadata = metadata(obj.get("metadata"), mapper);
        return new CreateJobRequest(prompt, generator, duration, aspect, seed, callbackUrl, events, metadata);
    }

    static String normalisePrompt(JsonNode node) {
        if (node == null || node.isNull()) {
            throw invalid("prompt is required", "prompt", "required");
        }
        if (!node.isTextual()) {
            throw invalid("prompt must be a string", "prompt", "must be a string");
        }
        String p = node.asText().strip().replaceAll("\\s+", " ");
        if (hasUnpairedSurrogate(p)) {
            throw invalid("prompt is not valid Unicode (unpaired surrogate)", "prompt", "invalid Unicode");
        }
        int length = p.codePointCount(0, p.length());
        if (length < 1) {
            throw invalid("prompt must not be empty", "prompt", "must not be empty");
        }
        if (length > MAX_PROMPT_LENGTH) {
            throw invalid("prompt must be at most " + MAX_PROMPT_LENGTH + " characters (got " + length + ")",
                    "prompt", "too long");
        }
        return p;
    }

    private static String generator(JsonNode node, Rules rules) {
        if (node == null || node.isNull()) {
            return rules.defaultGenerator();
        }
        if (!node.isTextual() || !rules.generators().contains(node.asText())) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("field", "generator");
            d.put("allowed", rules.generators().stream().sorted().toList());
            throw new ValidationException("generator must be one of the configured backends", d);
        }
        return node.asText();
    }

    private static double duration(JsonNode node) {
        if (node == null || node.isNull()) {
            return 5;
        }
        if (!node.isNumber()) {
            throw invalid("duration_seconds must be a number", "duration_seconds", "must be a number");
        }
        double d = node.asDouble();
        if (!(d >= 1 && d <= 60)) {
            throw invalid("duration_seconds must be between 1 and 60", "duration_seconds", "out of range 1..60");
        }
        return d;
    }

    private static String aspectRatio(JsonNode node) {
        if (node == null || node.isNull()) {
            return "16:9";
        }
        if (!node.isTextual() || !ASPECT_RATIOS.contains(node.asText())) {
            throw invalid("aspect_ratio must be one of 16:9, 9:16, 1:1", "aspect_ratio", "unsupported");
        }
        return node.asText();
    }

    private static Long seed(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw invalid("seed must be an integer", "seed", "must be an integer");
        }
        return node.asLong();
    }

    private static boolean hasUnpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private static String callbackUrl(JsonNode node, Rules rules) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw invalid("callback_url must be a string", "callback_url", "must be a string");
        }
        String url = node.asText().trim();
        if (url.length() > MAX_CALLBACK_URL_LENGTH) {
            throw invalid("callback_url must be at most " + MAX_CALLBACK_URL_LENGTH + " characters", "callback_url",
                    "too long");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (Exception e) {
            throw invalid("callback_url is not a valid URL", "callback_url", "invalid URL");
        }
        String scheme = uri.getScheme();
        boolean https = "https".equalsIgnoreCase(scheme);
        boolean http = "http".equalsIgnoreCase(scheme);
        if (!uri.isAbsolute() || uri.getHost() == null || !(https || (http && rules.allowHttpCallbacks()))) {
            throw invalid(rules.allowHttpCallbacks() ? "callback_url must be an absolute http(s) URL"
                    : "callback_url must be an absolute https:// URL", "callback_url", "invalid URL");
        }
        if (uri.getUserInfo() != null) {
            throw invalid("callback_url must not carry credentials", "callback_url", "credentials in URL");
        }
        if (!rules.allowPrivateCallbacks() && CallbackTargets.refusal(uri.getHost(), rules.resolver()) != null) {
            throw invalid("callback_url must not point to a loopback, private or link-local address",
                    "callback_url", "private address");
        }
        return url;
    }

    private static List<String> callbackEvents(JsonNode node) {
        if (node == null || node.isNull()) {
            return DEFAULT_EVENTS;
        }
        if (!node.isArray()) {
            throw invalid("callback_events must be an array of event types", "callback_events", "must be an array");
        }
        Set<String> events = new LinkedHashSet<>();
        for (JsonNode e : node) {
            String name = e.isTextual() ? e.asText().replaceFirst("^job\\.", "") : null;
            if (name == null || !EVENT_TYPES.contains(name)) {
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("field", "callback_events");
                d.put("allowed", EVENT_TYPES);
                throw new ValidationException("callback_events contains an unknown event type", d);
            }
            events.add(name);
        }
        return List.copyOf(events);
    }

    private static JsonNode metadata(JsonNode node, ObjectMapper mapper) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw invalid("metadata must be a JSON object", "metadata", "must be an object");
        }
        try {
            int size = mapper.writeValueAsString(node).getBytes(StandardCharsets.UTF_8).length;
            if (size > MAX_METADATA_BYTES) {
                throw invalid("metadata must be at most 4 KiB of JSON (got " + size + " bytes)", "metadata", "too large");
            }
        } catch (JsonProcessingException e) {
            throw invalid("metadata is not serialisable", "metadata", "invalid");
        }
        return node;
    }

    private static ValidationException invalid(String message, String field, String problem) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("field", field);
        d.put("problem", problem);
        return new ValidationException(message, d);
    }
}
