package io.ttv.pipeline.generator.remote;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ttv.pipeline.core.http.OutboundRequests;
import io.ttv.pipeline.core.tracing.Tracing;
import io.ttv.pipeline.generator.GenerationException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.function.LongConsumer;

/**
 * The HTTP side shared by the remote backends: JSON calls with error classification (docs/generators.md), streamed downloads
 * with a size limit. Credentials are sent only to the provider's own origin (its base URL's scheme, host and port),
 * never to the hosts of result URLs, and never appear in a message: provider text is redacted before use.
 *
 * <p>Classification: 401/403 (credentials refused), 400/404/409/422 and every other 4xx → not retryable;
 * 408, 425, 429, 5xx, connection failures and timeouts → retryable; a 2xx answer that is not the JSON expected →
 * not retryable ("malformed"), since repeating the call would not change the provider's protocol and would cost
 * another paid submission.
 */
public final class ProviderHttp {
    static final String JSON = "application/json";
    private static final int EXCERPT = 300;

    private final String provider;
    private final HttpClient client;
    private final ObjectMapper mapper;
    private final URI origin;
    private final String secret;
    private final Duration requestTimeout;

    /**
     * @param provider display name of the provider, used in messages ({@code "fal.ai"})
     * @param origin   the provider's base URL; credentials go only to URLs of this origin
     * @param secret   the credential, redacted from any provider text (may be empty)
     */
    public ProviderHttp(String provider, HttpClient client, ObjectMapper mapper, URI origin, String secret,
                        Duration requestTimeout) {
        this.provider = provider;
        this.client = client;
        this.mapper = mapper;
        this.origin = origin;
        this.secret = secret == null ? "" : secret;
        this.requestTimeout = requestTimeout;
    }

    public static HttpClient newClient(Duration connectTimeout) {
        return HttpClient.newBuilder().connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    public String provider() {
        return provider;
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    /** True if {@code uri} has the provider's scheme, host and port (credentials may be sent there). */
    public boolean sameOrigin(URI uri) {
        return Objects.equals(scheme(uri), scheme(origin)) && Objects.equals(lower(uri.getHost()), lower(origin.getHost()))
                && port(uri) == port(origin);
    }

    /**
     * Sends a JSON request (body {@code null} = none) and returns the parsed 2xx answer.
     *
     * @param auth     header name → value sent only if {@code uri} is of the provider's origin
     * @param deadline no request outlives it ({@code System.nanoTime()} based)
     */
    public JsonNode call(String method, URI uri, Map<String, String> auth, Map<String, String> headers, Object body,
                         long deadline) throws GenerationException, InterruptedException {
        HttpResponse<byte[]> response = send(method, uri, auth, headers, body, timeoutUntil(deadline));
        int status = response.statusCode();
        if (status < 200 || status >= 300) {
            throw httpError(status, response.body());
        }
        return parse(response.body());
    }

    /** Sends a request and returns the raw answer without classifying it (for cancel calls). */
    public HttpResponse<byte[]> send(String method, URI uri, Map<String, String> auth, Map<String, String> headers,
                                     Object body, Duration timeout) throws GenerationException, InterruptedException {
        HttpRequest.Builder b = OutboundRequests.to(uri).timeout(timeout).header("Accept", JSON);
        if (sameOrigin(uri)) {
            auth.forEach(b::header);
        }
        headers.forEach(b::header);
        Tracing.inject(b::header);
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            byte[] bytes;
            try {
                bytes = body instanceof byte[] raw ? raw : mapper.writeValueAsBytes(body);
            } catch (JsonProcessingException e) {
                throw new GenerationException("The request to " + provider + " could not be encoded", false, e);
            }
            b.header("Content-Type", JSON).method(method, HttpRequest.BodyPublishers.ofByteArray(bytes));
        }
        try {
            return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw ioError(e);
        }
    }

    /** Parses a 2xx body; anything but a JSON object is a malformed answer. */
    public JsonNode parse(byte[] body) throws GenerationException {
        try {
            JsonNode node = mapper.readTree(body);
            if (node == null || !node.isObject()) {
                throw malformed("not a JSON object", null);
            }
            return node;
        } catch (IOException e) {
            throw malformed("not valid JSON", e);
        }
    }

    public GenerationException malformed(String what, Throwable cause) {
        return new GenerationException(provider + " returned a malformed response (" + what + ")", false, cause);
    }

    /** The classification of a non-2xx answer; the provider's message (redacted, shortened) is kept when present. */
    public GenerationException httpError(int status, byte[] body) {
        String detail = providerMessage(body);
        String suffix = detail == null ? "" : ": " + detail;
        if (status == 401 || status == 403) {
            return new GenerationException(provider + " refused the credentials (HTTP " + status + ")", false, null);
        }
        if (status == 408 || status == 425 || status == 429) {
            return new GenerationException(provider + " is busy or rate-limiting (HTTP " + status + ")" + suffix, true,
                    null);
        }
        if (status >= 500) {
            return new GenerationException(provider + " had a server error (HTTP " + status + ")" + suffix, true, null);
        }
        return new GenerationException(provider + " rejected the request (HTTP " + status + ")" + suffix, false, null);
    }

    public GenerationException ioError(IOException e) throws InterruptedException {
        if (Thread.currentThread().isInterrupted() || e.getCause() instanceof InterruptedException) {
            Thread.interrupted();
            InterruptedException ie = new InterruptedException("interrupted while talking to " + provider);
            ie.initCause(e);
            throw ie;
        }
        if (e instanceof HttpTimeoutException) {
            return new GenerationException(provider + " did not answer in time", true, null);
        }
        return new GenerationException("Could not reach " + provider + " (" + e.getClass().getSimpleName() + ")",
                true, null);
    }

    /**
     * Streams {@code uri} into {@code target} (no credentials unless same origin and {@code auth} given), refusing a
     * result larger than {@code maxBytes}: by its Content-Length before reading, or while reading. On any failure the
     * target is deleted.
     *
     * @param progress receives the byte count so far and (first) the expected length or -1
     */
    public long download(URI uri, Map<String, String> auth, Path target, long maxBytes, long deadline,
                         LongConsumer expected, LongConsumer progress) throws GenerationException, InterruptedException {
        HttpRequest.Builder b = OutboundRequests.to(uri).timeout(timeoutUntil(deadline)).GET();
        if (sameOrigin(uri)) {
            auth.forEach(b::header);
        }
        Tracing.inject(b::header);
        boolean ok = false;
        try {
            HttpResponse<InputStream> response = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                int status = response.statusCode();
                if (status < 200 || status >= 300) {
                    throw httpError(status, in.readNBytes(4096));
                }
                OptionalLong length = response.headers().firstValueAsLong("Content-Length");
                if (length.isPresent() && length.getAsLong() > maxBytes) {
                    throw tooLarge(maxBytes);
                }
                expected.accept(length.orElse(-1));
                long total = 0;
                try (OutputStream out = Files.newOutputStream(target)) {
                    byte[] buf = new byte[64 * 1024];
                    for (int n; (n = in.read(buf)) >= 0; ) {
                        total += n;
                        if (total > maxBytes) {
                            throw tooLarge(maxBytes);
                        }
                        out.write(buf, 0, n);
                        if (Thread.currentThread().isInterrupted()) {
                            throw new InterruptedException("interrupted while downloading from " + provider);
                        }
                        if (System.nanoTime() - deadline > 0) {
                            throw new GenerationException(provider + " did not deliver the video in time", true, null);
                        }
                        progress.accept(total);
                    }
                }
                if (total == 0) {
                    throw new GenerationException(provider + " delivered an empty video", false, null);
                }
                ok = true;
                return total;
            }
        } catch (IOException e) {
            throw ioError(e);
        } finally {
            if (!ok) {
                deleteQuietly(target);
            }
        }
    }

    public GenerationException tooLarge(long maxBytes) {
        return new GenerationException("The video from " + provider + " is larger than the limit of " + maxBytes
                + " bytes", false, null);
    }

    /** Timeout of one request: the configured one, shortened to what is left before the deadline (at least 1 ms). */
    public Duration timeoutUntil(long deadline) {
        long left = deadline - System.nanoTime();
        return Duration.ofNanos(Math.max(1_000_000, Math.min(left, requestTimeout.toNanos())));
    }

    /** Provider text with the credential removed, shortened for a client message; {@code null} if none. */
    public String redact(String text) {
        if (text == null) {
            return null;
        }
        String t = secret.length() >= 4 ? text.replace(secret, "***") : text;
        t = t.replaceAll("\\s+", " ").trim();
        return t.length() > EXCERPT ? t.substring(0, EXCERPT) + "…" : t;
    }

    /** The human message inside an error body, if it has one of the usual shapes. */
    String providerMessage(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            JsonNode n = mapper.readTree(body);
            if (n != null && n.isObject()) {
                for (String path : new String[] {"/detail", "/error/message", "/error", "/message", "/title",
                        "/base_resp/status_msg", "/failure"}) {
                    JsonNode v = n.at(path);
                    if (v.isTextual() && !v.asText().isBlank()) {
                        return redact(v.asText());
                    }
                    if (v.isArray() && !v.isEmpty()) {
                        return redact(v.toString());
                    }
                }
            }
            return null;
        } catch (IOException e) {
            String text = new String(body, 0, Math.min(body.length, 1024), StandardCharsets.UTF_8);
            return text.isBlank() || text.trim().startsWith("<") ? null : redact(text);
        }
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort
        }
    }

    private static String scheme(URI u) {
        return lower(u.getScheme());
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(java.util.Locale.ROOT);
    }

    private static int port(URI u) {
        if (u.getPort() != -1) {
            return u.getPort();
        }
        return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }
}
