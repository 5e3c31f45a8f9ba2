package io.ttv.pipeline.testing;

import io.ttv.pipeline.core.domain.Timestamps;
import io.ttv.pipeline.core.redis.JobStore;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** Jobs for plain-JVM tests, created through {@link JobStore#create} as the intake does. */
public final class TestJobs {
    private TestJobs() {
    }

    /** A new queued job created at {@code createdAt}: a 1 s {@code local} render of a fixed prompt. */
    public static String queued(JobStore store, Instant createdAt) {
        String id = UUID.randomUUID().toString();
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("id", id);
        fields.put("status", "queued");
        fields.put("progress", "0");
        fields.put("attempts", "0");
        fields.put("prompt", "a test job");
        fields.put("duration_seconds", "1");
        fields.put("aspect_ratio", "16:9");
        fields.put("generator", "local");
        fields.put("created_at", Timestamps.format(createdAt));
        store.create(id, createdAt, fields);
        return id;
    }

    public static String queued(JobStore store) {
        return queued(store, Instant.now());
    }
}
