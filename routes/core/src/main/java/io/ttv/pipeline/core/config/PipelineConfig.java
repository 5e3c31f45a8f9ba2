package io.ttv.pipeline.core.config;

import io.ttv.pipeline.core.config.RetrySchedule;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The node's resolved, validated configuration. Built once per start from the ConfigAdmin PIDs and the
 * environment; an invalid value throws {@link ConfigException} naming the variable.
 */
public record PipelineConfig(
        int httpPort,
        String httpHost,
        List<String> apiKeys,
        int rateLimitPerMinute,
        int rateLimitBurst,
        List<String> trustedProxies,
        List<String> corsOrigins,
        int maxBodyBytes,
        TlsSettings tls,
        RedisUrl redisUrl,
        int redisTimeoutMs,
        Path redisCaFile,
        int redisWaitReplicas,
        Duration jobRetention,
        Role role,
        int workerConcurrency,
        int heartbeatSeconds,
        int maxAttempts,
        int jobTimeoutSeconds,
        int retryBackoffSeconds,
        int shutdownGraceSeconds,
        String gcsBucket,
        String gcsPrefix,
        String gcsEndpoint,
        String gcsProject,
        Path gcsCredentials,
        String callbackSecret,
        boolean callbackAllowPrivate,
        boolean callbackAllowHttp,
        int callbackTimeoutMs,
        RetrySchedule callbackRetrySchedule,
        String defaultGenerator,
        GeneratorSettings generators) {

    /** Which parts of the pipeline this node runs. */
    public enum Role {
        ALL, API, WORKER;

        public boolean runsApi() {
            return this != WORKER;
        }

        public boolean runsWorkers() {
            return this != API;
        }
    }

    /**
     * @param pids values per PID id ({@code ttv.api} → its properties), as ConfigAdmin delivers them
     * @param env  the environment (normally {@link System#getenv()})
     */
    public static PipelineConfig resolve(Map<String, ? extends Map<String, ?>> pids, Map<String, String> env) {
        Resolver r = new Resolver(pids, env);
        PipelineConfig config = new PipelineConfig(
                r.get(Setting.HTTP_PORT, v -> intIn(v, 1, 65535)),
                r.get(Setting.HTTP_HOST, PipelineConfig::nonBlank),
                r.get(Setting.API_KEYS, PipelineConfig::commaList),
                r.get(Setting.RATE_LIMIT, v -> intIn(v, 0, 6_000_000)),
                r.get(Setting.RATE_LIMIT_BURST, v -> intIn(v, 1, 1_000_000)),
                r.get(Setting.TRUSTED_PROXIES, PipelineConfig::commaList),
                r.get(Setting.CORS_ORIGINS, PipelineConfig::commaList),
                r.get(Setting.MAX_BODY_BYTES, v -> intIn(v, 1024, 64 * 1024 * 1024)),
                tls(r),
                r.get(Setting.REDIS_URL, RedisUrl::parse),
                r.get(Setting.REDIS_TIMEOUT_MS, v -> intIn(v, 100, 60000)),
                r.get(Setting.REDIS_CA_FILE, PipelineConfig::pemCertificates),
                r.get(Setting.REDIS_WAIT_REPLICAS, v -> intIn(v, 0, 16)),
                r.get(Setting.JOB_RETENTION, PipelineConfig::retention),
                r.get(Setting.ROLE, v -> Role.valueOf(oneOf(v, "all", "api", "worker").toUpperCase(Locale.ROOT))),
                r.get(Setting.WORKER_CONCURRENCY, v -> intIn(v, 1, 64)),
                r.get(Setting.WORKER_HEARTBEAT_SECONDS, v -> intIn(v, 1, 300)),
                r.get(Setting.MAX_ATTEMPTS, v -> intIn(v, 1, 100)),
                r.get(Setting.JOB_TIMEOUT_SECONDS, v -> intIn(v, 1, 86400)),
                r.get(Setting.RETRY_BACKOFF_SECONDS, v -> intIn(v, 1, 3600)),
                r.get(Setting.SHUTDOWN_GRACE_SECONDS, v -> intIn(v, 0, 3600)),
                r.get(Setting.GCS_BUCKET, PipelineConfig::bucketName),
                r.get(Setting.GCS_PREFIX, PipelineConfig::prefix),
                r.get(Setting.GCS_ENDPOINT, PipelineConfig::optionalHttpUrl),
                r.get(Setting.GCS_PROJECT, String::trim),
                r.get(Setting.GCS_CREDENTIALS, PipelineConfig::optionalReadableFile),
                r.get(Setting.CALLBACK_SECRET, PipelineConfig::webhookSecret),
                r.get(Setting.CALLBACK_ALLOW_PRIVATE, PipelineConfig::bool),
                r.get(Setting.CALLBACK_ALLOW_HTTP, PipelineConfig::bool),
                r.get(Setting.CALLBACK_TIMEOUT_MS, v -> intIn(v, 100, 120000)),
                r.get(Setting.CALLBACK_RETRY_SCHEDULE, RetrySchedule::parse),
                r.get(Setting.GENERATOR, PipelineConfig::nonBlank),
                generators(r));
        if (config.redisWaitReplicas() > 0 && config.redisUrl().cluster()) {
            throw new ConfigException("Invalid configuration: TTV_REDIS_WAIT_REPLICAS is not supported with a Redis "
                    + "Cluster (redis-cluster://); set it to 0");
        }
        if (config.redisCaFile() != null && !config.redisUrl().tls()) {
            throw new ConfigException("Invalid configuration: TTV_REDIS_CA_FILE is set but TTV_REDIS_URL does not use "
                    + "TLS (rediss:// or rediss-sentinel://)");
        }
        return config;
    }

    /** {@code null} (plain HTTP) unless both files are set. */
    private static TlsSettings tls(Resolver r) {
        Path cert = r.get(Setting.TLS_CERT_FILE, PipelineConfig::optionalReadableFile);
        Path key = r.get(Setting.TLS_KEY_FILE, PipelineConfig::optionalReadableFile);
        int reload = r.get(Setting.TLS_RELOAD_SECONDS, v -> intIn(v, 1, TlsSettings.MAX_RELOAD_SECONDS));
        if (cert == null && key == null) {
            return null;
        }
        if (key == null || cert == null) {
            Setting set = cert != null ? Setting.TLS_CERT_FILE : Setting.TLS_KEY_FILE;
            Setting missing = cert != null ? Setting.TLS_KEY_FILE : Setting.TLS_CERT_FILE;
            throw new ConfigException("Invalid configuration: " + missing.env() + " must be set when " + set.env()
                    + " is (HTTPS needs both the certificate and its key)");
        }
        return new TlsSettings(cert, key, Duration.ofSeconds(reload));
    }

    private static GeneratorSettings generators(Resolver r) {
        GeneratorSettings.Backend veo = backend(r, "veo", Setting.VEO_API_KEY, Setting.VEO_BASE_URL, Setting.VEO_MODEL,
                Setting.VEO_TIMEOUT_SECONDS, true);
        GeneratorSettings g = new GeneratorSettings(
                Duration.ofMillis(r.get(Setting.GENERATOR_POLL_INTERVAL_MS, v -> intIn(v, 1, 600_000))),
                Duration.ofMillis(r.get(Setting.GENERATOR_POLL_MAX_INTERVAL_MS, v -> intIn(v, 1, 600_000))),
                r.get(Setting.GENERATOR_MAX_POLLS, v -> intIn(v, 1, 1_000_000)),
                Duration.ofMillis(r.get(Setting.GENERATOR_HTTP_TIMEOUT_MS, v -> intIn(v, 100, 600_000))),
                r.get(Setting.GENERATOR_DOWNLOAD_MAX_BYTES, v -> longIn(v, 1, 1L << 40)),
                backend(r, "fal", Setting.FAL_API_KEY, Setting.FAL_BASE_URL, Setting.FAL_MODEL,
                        Setting.FAL_TIMEOUT_SECONDS, false),
                backend(r, "replicate", Setting.REPLICATE_API_KEY, Setting.REPLICATE_BASE_URL, Setting.REPLICATE_MODEL,
                        Setting.REPLICATE_TIMEOUT_SECONDS, false),
                r.get(Setting.REPLICATE_WAIT_SECONDS, v -> intIn(v, 0, 60)),
                backend(r, "runway", Setting.RUNWAY_API_KEY, Setting.RUNWAY_BASE_URL, Setting.RUNWAY_MODEL,
                        Setting.RUNWAY_TIMEOUT_SECONDS, false),
                backend(r, "minimax", Setting.MINIMAX_API_KEY, Setting.MINIMAX_BASE_URL, Setting.MINIMAX_MODEL,
                        Setting.MINIMAX_TIMEOUT_SECONDS, false),
                veo,
                r.get(Setting.VEO_CREDENTIALS, PipelineConfig::optionalReadableFile),
                r.get(Setting.VEO_PROJECT, String::trim),
                r.get(Setting.VEO_LOCATION, PipelineConfig::nonBlank),
                r.get(Setting.VEO_OUTPUT_GCS_URI, PipelineConfig::optionalGcsUri));
        if (g.veoConfigured() && g.veoProject().isEmpty()) {
            throw new ConfigException("Invalid configuration: TTV_VEO_PROJECT must be set when TTV_VEO_API_KEY or "
                    + "TTV_VEO_CREDENTIALS is");
        }
        return g;
    }

    private static GeneratorSettings.Backend backend(Resolver r, String name, Setting key, Setting baseUrl,
                                                     Setting model, Setting timeout, boolean baseUrlOptional) {
        return new GeneratorSettings.Backend(name,
                r.get(key, String::trim),
                r.get(baseUrl, v -> {
                    String u = optionalHttpUrl(v);
                    if (u.isEmpty() && !baseUrlOptional) {
                        throw new IllegalArgumentException("must be an http(s) base URL");
                    }
                    return u;
                }),
                r.get(model, PipelineConfig::nonBlank),
                Duration.ofSeconds(r.get(timeout, v -> intIn(v, 1, 86400))));
    }

    private record Resolver(Map<String, ? extends Map<String, ?>> pids, Map<String, String> env) {
        <T> T get(Setting s, Function<String, T> parser) {
            String source;
            String raw = env.get(s.env());
            if (raw != null) {
                source = "environment variable " + s.env();
            } else if ((raw = System.getProperty(s.env())) != null) {
                source = "system property " + s.env();
            } else {
                Map<String, ?> props = pids.get(s.pid().id());
                Object v = props == null ? null : props.get(s.key());
                if (v != null) {
                    raw = v.toString();
                    source = "'" + s.key() + "' in etc/" + s.pid().id() + ".cfg";
                } else {
                    raw = s.defaultValue();
                    source = "default of " + s.env();
                }
            }
            try {
                return parser.apply(raw);
            } catch (RuntimeException e) {
                throw new ConfigException("Invalid configuration: " + s.env() + " (" + source + ") = '"
                        + (isSecret(s) ? "***" : raw) + "': " + e.getMessage());
            }
        }

        private static boolean isSecret(Setting s) {
            return s == Setting.API_KEYS || s == Setting.CALLBACK_SECRET || s == Setting.REDIS_URL
                    || s.key().endsWith(".api-key");
        }
    }

    static int intIn(String v, int min, int max) {
        int n;
        try {
            n = Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be an integer between " + min + " and " + max);
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException("must be between " + min + " and " + max);
        }
        return n;
    }

    static long longIn(String v, long min, long max) {
        long n;
        try {
            n = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be an integer between " + min + " and " + max);
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException("must be between " + min + " and " + max);
        }
        return n;
    }

    private static final Pattern RETENTION = Pattern.compile("(\\d{1,6})([mhd])");

    /** {@code 0} (keep forever) or a number with {@code m}, {@code h} or {@code d}: 1 minute to 100 years. */
    static Duration retention(String v) {
        String t = v.trim().toLowerCase(Locale.ROOT);
        if (t.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = RETENTION.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("must be 0 (keep forever) or a duration such as 30d, 12h or 90m");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        if (d.isZero() || d.compareTo(Duration.ofDays(36_500)) > 0) {
            throw new IllegalArgumentException("must be 0 or between 1m and 36500d");
        }
        return d;
    }

    static String optionalGcsUri(String v) {
        String t = v.trim();
        if (!t.isEmpty() && !t.matches("gs://[a-z0-9][a-z0-9._-]{1,220}[a-z0-9](/.*)?")) {
            throw new IllegalArgumentException("must be a gs://bucket/prefix URI");
        }
        return t;
    }

    /** Empty (unsigned), {@code whsec_<base64 of at least 16 bytes>}, or a plain secret used as its UTF-8 bytes. */
    static String webhookSecret(String v) {
        String t = v.trim();
        if (t.startsWith("whsec_")) {
            byte[] key;
            try {
                key = java.util.Base64.getDecoder().decode(t.substring("whsec_".length()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("whsec_ must be followed by base64");
            }
            if (key.length < 16) {
                throw new IllegalArgumentException("the whsec_ key must be at least 16 bytes");
            }
        }
        return t;
    }

    static boolean bool(String v) {
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no", "" -> false;
            default -> throw new IllegalArgumentException("must be true or false");
        };
    }

    static String oneOf(String v, String... allowed) {
        String t = v.trim().toLowerCase(Locale.ROOT);
        if (!Arrays.asList(allowed).contains(t)) {
            throw new IllegalArgumentException("must be one of " + String.join(", ", allowed));
        }
        return t;
    }

    static String nonBlank(String v) {
        if (v.isBlank()) {
            throw new IllegalArgumentException("must not be empty");
        }
        return v.trim();
    }

    static List<String> commaList(String v) {
        return Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    static String bucketName(String v) {
        String t = v.trim();
        if (!t.matches("[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]")) {
            throw new IllegalArgumentException("must be a GCS bucket name (3-222 of a-z 0-9 . _ -)");
        }
        return t;
    }

    static String prefix(String v) {
        String t = v.trim();
        while (t.startsWith("/")) {
            t = t.substring(1);
        }
        while (t.endsWith("/")) {
            t = t.substring(0, t.length() - 1);
        }
        if (t.contains("//") || t.contains("..")) {
            throw new IllegalArgumentException("must be a plain object path prefix");
        }
        return t;
    }

    static String optionalHttpUrl(String v) {
        String t = v.trim();
        if (t.isEmpty()) {
            return "";
        }
        URI uri;
        try {
            uri = URI.create(t);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("must be an http(s) base URL");
        }
        if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            throw new IllegalArgumentException("must be an http(s) base URL");
        }
        return t.endsWith("/") ? t.substring(0, t.length() - 1) : t;
    }

    static Path optionalReadableFile(String v) {
        String t = v.trim();
        if (t.isEmpty()) {
            return null;
        }
        Path p = Path.of(t);
        if (!Files.isReadable(p)) {
            throw new IllegalArgumentException("file does not exist or is not readable");
        }
        return p;
    }

    /** Whether the API port speaks HTTPS ({@link #tls()} set) instead of plain HTTP. */
    public boolean https() {
        return tls != null;
    }

    /** Empty (the JVM's trust store), or a readable PEM file holding at least one X.509 certificate. */
    static Path pemCertificates(String v) {
        Path p = optionalReadableFile(v);
        if (p != null) {
            try (InputStream in = Files.newInputStream(p)) {
                if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
                    throw new IllegalArgumentException("no certificate in the file");
                }
            } catch (IOException | CertificateException e) {
                throw new IllegalArgumentException("not a PEM certificate file: " + e.getMessage());
            }
        }
        return p;
    }

    public boolean usesGcsEmulator() {
        return !gcsEndpoint.isEmpty();
    }
}
