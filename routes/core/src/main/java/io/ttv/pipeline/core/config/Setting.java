package io.ttv.pipeline.core.config;

import java.util.Arrays;
import java.util.List;

/**
 * Every configuration key of the product, written once: its PID, its key inside that PID, the environment
 * variable that overrides it, and its default. The shipped {@code etc/<pid>.cfg} files document the same keys;
 * {@code SettingDefaultsTest} checks that the two agree.
 *
 * <p>Resolution order: environment variable, then system property (the env name), then the PID's value from
 * ConfigAdmin, then the default below.
 */
public enum Setting {
    HTTP_PORT(Pid.API, "http.port", "TTV_HTTP_PORT", "8000"),
    HTTP_HOST(Pid.API, "http.host", "TTV_HTTP_HOST", "0.0.0.0"),
    API_KEYS(Pid.API, "api.keys", "TTV_API_KEYS", ""),
    RATE_LIMIT(Pid.API, "rate-limit.per-minute", "TTV_RATE_LIMIT", "600"),
    RATE_LIMIT_BURST(Pid.API, "rate-limit.burst", "TTV_RATE_LIMIT_BURST", "60"),
    TRUSTED_PROXIES(Pid.API, "trusted-proxies", "TTV_TRUSTED_PROXIES", ""),
    CORS_ORIGINS(Pid.API, "cors.origins", "TTV_CORS_ORIGINS", ""),
    MAX_BODY_BYTES(Pid.API, "max-body.bytes", "TTV_MAX_BODY_BYTES", "1048576"),
    TLS_CERT_FILE(Pid.API, "tls.cert.file", "TTV_TLS_CERT_FILE", ""),
    TLS_KEY_FILE(Pid.API, "tls.key.file", "TTV_TLS_KEY_FILE", ""),
    TLS_RELOAD_SECONDS(Pid.API, "tls.reload.seconds", "TTV_TLS_RELOAD_SECONDS", "30"),

    REDIS_URL(Pid.QUEUE, "redis.url", "TTV_REDIS_URL", "redis://127.0.0.1:6379/0"),
    REDIS_TIMEOUT_MS(Pid.QUEUE, "redis.timeout.ms", "TTV_REDIS_TIMEOUT_MS", "2000"),
    REDIS_CA_FILE(Pid.QUEUE, "redis.ca-file", "TTV_REDIS_CA_FILE", ""),
    REDIS_WAIT_REPLICAS(Pid.QUEUE, "redis.wait-replicas", "TTV_REDIS_WAIT_REPLICAS", "0"),
    JOB_RETENTION(Pid.QUEUE, "job.retention", "TTV_JOB_RETENTION", "30d"),

    ROLE(Pid.WORKER, "role", "TTV_ROLE", "all"),
    WORKER_CONCURRENCY(Pid.WORKER, "concurrency", "TTV_WORKER_CONCURRENCY", "2"),
    WORKER_HEARTBEAT_SECONDS(Pid.WORKER, "heartbeat.seconds", "TTV_WORKER_HEARTBEAT_SECONDS", "10"),
    MAX_ATTEMPTS(Pid.WORKER, "max-attempts", "TTV_MAX_ATTEMPTS", "3"),
    JOB_TIMEOUT_SECONDS(Pid.WORKER, "job.timeout.seconds", "TTV_JOB_TIMEOUT_SECONDS", "3600"),
    RETRY_BACKOFF_SECONDS(Pid.WORKER, "retry.backoff.seconds", "TTV_RETRY_BACKOFF_SECONDS", "5"),
    SHUTDOWN_GRACE_SECONDS(Pid.WORKER, "shutdown.grace.seconds", "TTV_SHUTDOWN_GRACE_SECONDS", "30"),

    GCS_BUCKET(Pid.STORAGE, "gcs.bucket", "TTV_GCS_BUCKET", "ttv-api-artifacts"),
    GCS_PREFIX(Pid.STORAGE, "gcs.prefix", "TTV_GCS_PREFIX", "ttv-api"),
    GCS_ENDPOINT(Pid.STORAGE, "gcs.endpoint", "TTV_GCS_ENDPOINT", ""),
    GCS_PROJECT(Pid.STORAGE, "gcs.project", "TTV_GCS_PROJECT", ""),
    GCS_CREDENTIALS(Pid.STORAGE, "gcs.credentials", "TTV_GCS_CREDENTIALS", ""),

    CALLBACK_SECRET(Pid.CALLBACKS, "callback.secret", "TTV_CALLBACK_SECRET", ""),
    CALLBACK_ALLOW_PRIVATE(Pid.CALLBACKS, "callback.allow-private", "TTV_CALLBACK_ALLOW_PRIVATE", "false"),
    CALLBACK_ALLOW_HTTP(Pid.CALLBACKS, "callback.allow-http", "TTV_CALLBACK_ALLOW_HTTP", "false"),
    CALLBACK_TIMEOUT_MS(Pid.CALLBACKS, "callback.timeout.ms", "TTV_CALLBACK_TIMEOUT_MS", "10000"),
    CALLBACK_RETRY_SCHEDULE(Pid.CALLBACKS, "callback.retry-schedule", "TTV_CALLBACK_RETRY_SCHEDULE",
            "5s,30s,2m,5m,15m,30m,1h"),

    GENERATOR(Pid.GENERATORS, "generator.default", "TTV_GENERATOR", "local"),
    GENERATOR_POLL_INTERVAL_MS(Pid.GENERATORS, "generator.poll.interval.ms", "TTV_GENERATOR_POLL_INTERVAL_MS", "2000"),
    GENERATOR_POLL_MAX_INTERVAL_MS(Pid.GENERATORS, "generator.poll.max-interval.ms",
            "TTV_GENERATOR_POLL_MAX_INTERVAL_MS", "15000"),
    GENERATOR_MAX_POLLS(Pid.GENERATORS, "generator.max-polls", "TTV_GENERATOR_MAX_POLLS", "720"),
    GENERATOR_HTTP_TIMEOUT_MS(Pid.GENERATORS, "generator.http.timeout.ms", "TTV_GENERATOR_HTTP_TIMEOUT_MS", "30000"),
    GENERATOR_DOWNLOAD_MAX_BYTES(Pid.GENERATORS, "generator.download.max-bytes", "TTV_GENERATOR_DOWNLOAD_MAX_BYTES",
            "536870912"),

    FAL_API_KEY(Pid.GENERATORS, "fal.api-key", "TTV_FAL_API_KEY", ""),
    FAL_BASE_URL(Pid.GENERATORS, "fal.base-url", "TTV_FAL_BASE_URL", "https://queue.fal.run"),
    FAL_MODEL(Pid.GENERATORS, "fal.model", "TTV_FAL_MODEL", "fal-ai/kling-video/v2.1/standard/text-to-video"),
    FAL_TIMEOUT_SECONDS(Pid.GENERATORS, "fal.timeout.seconds", "TTV_FAL_TIMEOUT_SECONDS", "1800"),

    REPLICATE_API_KEY(Pid.GENERATORS, "replicate.api-key", "TTV_REPLICATE_API_KEY", ""),
    REPLICATE_BASE_URL(Pid.GENERATORS, "replicate.base-url", "TTV_REPLICATE_BASE_URL", "https://api.replicate.com"),
    REPLICATE_MODEL(Pid.GENERATORS, "replicate.model", "TTV_REPLICATE_MODEL", "minimax/video-01"),
    REPLICATE_TIMEOUT_SECONDS(Pid.GENERATORS, "replicate.timeout.seconds", "TTV_REPLICATE_TIMEOUT_SECONDS", "1800"),
    REPLICATE_WAIT_SECONDS(Pid.GENERATORS, "replicate.wait.seconds", "TTV_REPLICATE_WAIT_SECONDS", "5"),

    RUNWAY_API_KEY(Pid.GENERATORS, "runway.api-key", "TTV_RUNWAY_API_KEY", ""),
    RUNWAY_BASE_URL(Pid.GENERATORS, "runway.base-url", "TTV_RUNWAY_BASE_URL", "https://api.dev.runwayml.com"),
    RUNWAY_MODEL(Pid.GENERATORS, "runway.model", "TTV_RUNWAY_MODEL", "veo3.1_fast"),
    RUNWAY_TIMEOUT_SECONDS(Pid.GENERATORS, "runway.timeout.seconds", "TTV_RUNWAY_TIMEOUT_SECONDS", "1800"),

    MINIMAX_API_KEY(Pid.GENERATORS, "minimax.api-key", "TTV_MINIMAX_API_KEY", ""),
    MINIMAX_BASE_URL(Pid.GENERATORS, "minimax.base-url", "TTV_MINIMAX_BASE_URL", "https://api.minimax.io"),
    MINIMAX_MODEL(Pid.GENERATORS, "minimax.model", "TTV_MINIMAX_MODEL", "MiniMax-Hailuo-02"),
    MINIMAX_TIMEOUT_SECONDS(Pid.GENERATORS, "minimax.timeout.seconds", "TTV_MINIMAX_TIMEOUT_SECONDS", "1800"),

    VEO_API_KEY(Pid.GENERATORS, "veo.api-key", "TTV_VEO_API_KEY", ""),
    VEO_CREDENTIALS(Pid.GENERATORS, "veo.credentials", "TTV_VEO_CREDENTIALS", ""),
    VEO_BASE_URL(Pid.GENERATORS, "veo.base-url", "TTV_VEO_BASE_URL", ""),
    VEO_MODEL(Pid.GENERATORS, "veo.model", "TTV_VEO_MODEL", "veo-3.0-fast-generate-001"),
    VEO_PROJECT(Pid.GENERATORS, "veo.project", "TTV_VEO_PROJECT", ""),
    VEO_LOCATION(Pid.GENERATORS, "veo.location", "TTV_VEO_LOCATION", "us-central1"),
    VEO_OUTPUT_GCS_URI(Pid.GENERATORS, "veo.output-gcs-uri", "TTV_VEO_OUTPUT_GCS_URI", ""),
    VEO_TIMEOUT_SECONDS(Pid.GENERATORS, "veo.timeout.seconds", "TTV_VEO_TIMEOUT_SECONDS", "1800");

    /** The configuration PIDs, one per capability. */
    public enum Pid {
        API("ttv.api"), QUEUE("ttv.queue"), WORKER("ttv.worker"), STORAGE("ttv.storage"),
        CALLBACKS("ttv.callbacks"), GENERATORS("ttv.generators");

        private final String id;

        Pid(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    private final Pid pid;
    private final String key;
    private final String env;
    private final String defaultValue;

    Setting(Pid pid, String key, String env, String defaultValue) {
        this.pid = pid;
        this.key = key;
        this.env = env;
        this.defaultValue = defaultValue;
    }

    public Pid pid() {
        return pid;
    }

    public String key() {
        return key;
    }

    public String env() {
        return env;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public static List<Setting> of(Pid pid) {
        return Arrays.stream(values()).filter(s -> s.pid == pid).toList();
    }
}
