package io.ttv.pipeline.core.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.LinkedHashMap;
import java.util.Map;

/** Turns a stored job hash into the wire job object (docs/api.md): every field present, absent values null. */
public final class JobView {
    private JobView() {
    }

    public static Map<String, Object> of(Map<String, String> hash, ObjectMapper mapper) {
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("id", hash.get("id"));
        job.put("status", hash.get("status"));
        job.put("progress", intOrZero(hash.get("progress")));
        job.put("created_at", hash.get("created_at"));
        job.put("started_at", hash.get("started_at"));
        job.put("finished_at", hash.get("finished_at"));
        job.put("gcs_uri", hash.get("gcs_uri"));
        job.put("error", hash.get("error"));
        job.put("retryable", hash.containsKey("retryable") ? Boolean.valueOf(hash.get("retryable")) : null);
        job.put("generator", hash.get("generator"));
        job.put("attempts", intOrZero(hash.get("attempts")));
        job.put("metadata", json(hash.get("metadata"), mapper));
        job.put("prompt", hash.get("prompt"));
        job.put("duration_seconds", hash.containsKey("duration_seconds")
                ? Double.valueOf(hash.get("duration_seconds")) : null);
        job.put("aspect_ratio", hash.get("aspect_ratio"));
        job.put("seed", hash.containsKey("seed") ? Long.valueOf(hash.get("seed")) : null);
        return job;
    }

    private static int intOrZero(String v) {
        return v == null ? 0 : Integer.parseInt(v);
    }

    private static JsonNode json(String v, ObjectMapper mapper) {
        if (v == null) {
            return null;
        }
        try {
            return mapper.readTree(v);
        } catch (Exception e) {
            return null;
        }
    }
}
