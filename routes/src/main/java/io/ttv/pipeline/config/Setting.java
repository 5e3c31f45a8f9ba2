package io.ttv.pipeline.config;

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

    REDIS_URL(Pid.QUEUE, "redis.url", "TTV_REDIS_URL", "redis://127.0.0.1:6379/0"),
    REDIS_TIMEOUT_MS(Pid.QUEUE, "redis.timeout.ms", "TTV_REDIS_TIMEOUT_MS", "2000"),

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

    GENERATOR(Pid.GENERATORS, "generator.default", "TTV_GENERATOR", "local");

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
