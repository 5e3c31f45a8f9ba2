package io.ttv.pipeline.core.domain;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CreateJobRequestTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final CreateJobRequest.Rules RULES = new CreateJobRequest.Rules(Set.of("local"), "local", false, false);

    private static CreateJobRequest parse(String json) {
        return CreateJobRequest.parse(json.getBytes(StandardCharsets.UTF_8), MAPPER, RULES);
    }

    private static ValidationException refused(String json) {
        return assertThrows(ValidationException.class, () -> parse(json));
    }

    @Test
    void minimalBodyGetsTheDefaults() {
        CreateJobRequest r = parse("{\"prompt\":\"  a red\\n\\tfox   in snow  \"}");
        assertEquals("a red fox in snow", r.prompt());
        assertEquals("local", r.generator());
        assertEquals(5, r.durationSeconds());
        assertEquals("16:9", r.aspectRatio());
        assertNull(r.seed());
        assertNull(r.callbackUrl());
        assertEquals(CreateJobRequest.DEFAULT_EVENTS, r.callbackEvents());
    }

    @Test
    void fullBodyIsKept() {
        CreateJobRequest r = parse("""
                {"prompt":"p","generator":"local","duration_seconds":7.5,"aspect_ratio":"1:1","seed":42,
                 "callback_url":"https://hooks.example.com/x","callback_events":["job.finished","failed"],
                 "metadata":{"k":"v"}}""");
        assertEquals(7.5, r.durationSeconds());
        assertEquals("1:1", r.aspectRatio());
        assertEquals(42L, r.seed());
        assertEquals(List.of("finished", "failed"), r.callbackEvents());
        assertEquals("v", r.metadata().get("k").asText());
    }

    @Test
    void promptRules() {
        assertEquals("prompt", refused("{}").details().get("field"));
        assertEquals("prompt", refused("{\"prompt\":\" \\n \"}").details().get("field"));
        assertEquals("prompt", refused("{\"prompt\":42}").details().get("field"));
        assertEquals(2000, parse("{\"prompt\":\"" + "x".repeat(2000) + "\"}").prompt().length());
        assertEquals("prompt", refused("{\"prompt\":\"" + "x".repeat(2001) + "\"}").details().get("field"));
    }

    @Test
    void unknownFieldsAreNamed() {
        ValidationException e = refused("{\"prompt\":\"p\",\"colour\":\"red\",\"size\":1}");
        assertEquals(List.of("colour", "size"), e.details().get("unknown_fields"));
        assertTrue(e.getMessage().contains("colour"));
    }

    @Test
    void malformedOrNonObjectBodiesAreValidationErrors() {
        assertEquals("body", refused("{\"prompt\":").details().get("field"));
        assertEquals("body", refused("[1,2]").details().get("field"));
        assertEquals("body", refused("").details().get("field"));
    }

    @Test
    void typesAndRanges() {
        assertEquals("duration_seconds", refused("{\"prompt\":\"p\",\"duration_seconds\":0.5}").details().get("field"));
        assertEquals("duration_seconds", refused("{\"prompt\":\"p\",\"duration_seconds\":61}").details().get("field"));
        assertEquals("duration_seconds", refused("{\"prompt\":\"p\",\"duration_seconds\":\"5\"}").details().get("field"));
        assertEquals("aspect_ratio", refused("{\"prompt\":\"p\",\"aspect_ratio\":\"4:3\"}").details().get("field"));
        assertEquals("seed", refused("{\"prompt\":\"p\",\"seed\":1.5}").details().get("field"));
        assertEquals("generator", refused("{\"prompt\":\"p\",\"generator\":\"sora\"}").details().get("field"));
        assertEquals("callback_events", refused("{\"prompt\":\"p\",\"callback_events\":[\"done\"]}").details().get("field"));
        assertEquals("metadata", refused("{\"prompt\":\"p\",\"metadata\":[1]}").details().get("field"));
        assertEquals("metadata", refused("{\"prompt\":\"p\",\"metadata\":{\"k\":\"" + "x".repeat(4100) + "\"}}")
                .details().get("field"));
    }

    @Test
    void callbackUrlRules() {
        for (String url : List.of("http://hooks.example.com/x", "ftp://x/y", "/relative", "https://user:pw@example.com/",
                "https://127.0.0.1/x", "https://10.1.2.3/x", "https://169.254.169.254/latest", "https://localhost/x",
                "https://[::1]/x", "https://example.com/{{secret}}")) {
            assertEquals("callback_url", refused("{\"prompt\":\"p\",\"callback_url\":\"" + url + "\"}").details().get("field"), url);
        }
        CreateJobRequest.Rules lenient = new CreateJobRequest.Rules(Set.of("local"), "local", true, true);
        CreateJobRequest r = CreateJobRequest.parse(
                "{\"prompt\":\"p\",\"callback_url\":\"http://127.0.0.1:9000/hook\"}".getBytes(StandardCharsets.UTF_8),
                MAPPER, lenient);
        assertEquals("http://127.0.0.1:9000/hook", r.callbackUrl());
    }
}
