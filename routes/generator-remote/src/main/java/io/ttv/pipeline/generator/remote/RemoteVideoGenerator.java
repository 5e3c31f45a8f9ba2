package io.ttv.pipeline.generator.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ttv.pipeline.generator.CancelToken;
import io.ttv.pipeline.generator.CancellableGenerator;
import io.ttv.pipeline.generator.GenerationException;
import io.ttv.pipeline.generator.GenerationRequest;
import io.ttv.pipeline.generator.ProgressListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The submit → poll (with backoff, a poll budget and a deadline) → download loop shared by the remote backends.
 * A subclass speaks its provider's protocol: {@link #submit}, {@link #poll}, {@link #cancel} and {@link #result}.
 *
 * <p>Progress: 2 when submitted, 5 while queued, 10..85 while running (the provider's own progress when it reports
 * one, otherwise a slow creep per poll), 90..99 while downloading, 100 when the file is complete; never decreasing.
 *
 * <p>Cancel: an interrupt (worker cancel signal, job time limit, node stop) or the {@link CancelToken} ends the wait at
 * once; the provider's cancel is then sent (bounded by {@link #CANCEL_TIMEOUT}) and the call ends with
 * {@link InterruptedException} or a {@link GenerationException.Kind#CANCELED} exception. The output file is removed.
 *
 * @param <T> the provider's handle of one submitted task
 */
public abstract class RemoteVideoGenerator<T> implements CancellableGenerator {
    /** Longest time a cancel call to the provider may take before the generator gives up on it. */
    static final Duration CANCEL_TIMEOUT = Duration.ofSeconds(3);

    /** Where a provider's task is. */
    public enum State { QUEUED, RUNNING, SUCCEEDED, FAILED }

    /**
     * One observation of a task.
     *
     * @param progress  the provider's own progress 0..1, or {@code null}
     * @param result    for {@link State#SUCCEEDED}: the provider's answer the result is read from
     * @param failure   for {@link State#FAILED}: the classified error
     */
    public record Status(State state, Double progress, String message, JsonNode result, GenerationException failure) {
        public static Status queued(String message) {
            return new Status(State.QUEUED, null, message, null, null);
        }

        public static Status running(Double progress, String message) {
            return new Status(State.RUNNING, progress, message, null, null);
        }

        public static Status succeeded(JsonNode result) {
            return new Status(State.SUCCEEDED, 1.0, "completed", result, null);
        }

        public static Status failed(GenerationException failure) {
            return new Status(State.FAILED, null, failure.getMessage(), null, failure);
        }
    }

    /** A submitted task and, when the submit answer already told it, its first status. */
    public record Submitted<T>(T task, String id, Status status) {
    }

    protected final Logger log = LoggerFactory.getLogger(getClass());
    protected final String name;
    protected final RemoteOptions options;
    protected final ProviderHttp http;

    protected RemoteVideoGenerator(String name, String provider, RemoteOptions options, HttpClient client,
                                   ObjectMapper mapper) {
        this.name = name;
        this.options = options;
        this.http = new ProviderHttp(provider, client == null ? ProviderHttp.newClient(options.httpTimeout()) : client,
                mapper == null ? new ObjectMapper() : mapper, URI.create(options.baseUrl()), options.apiKey(),
                options.httpTimeout());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Optional<Duration> timeout() {
        return Optional.of(options.timeout());
    }

    /** Credential headers, sent only to the provider's origin. */
    protected abstract Map<String, String> auth() throws GenerationException;

    /** Submits the request. */
    protected abstract Submitted<T> submit(GenerationRequest request, long deadline)
            throws GenerationException, InterruptedException;

    /** Reads the task's current status. */
    protected abstract Status poll(T task, long deadline) throws GenerationException, InterruptedException;

    /** Asks the provider to cancel; the default does nothing (the provider has no cancel). */
    protected void cancel(T task, Duration timeout) throws GenerationException, InterruptedException {
    }

    /** Writes the finished task's video into {@code output}. */
    protected abstract void result(T task, Status done, Path output, Progress progress, long deadline)
            throws GenerationException, InterruptedException;

    @Override
    public void generate(GenerationRequest request, Path output, ProgressListener listener, CancelToken cancel)
            throws GenerationException, InterruptedException {
        Progress progress = new Progress(listener);
        long deadline = System.nanoTime() + options.timeout().toNanos();
        boolean ok = false;
        Submitted<T> submitted = null;
        try {
            if (cancel.isCanceled()) {
                throw GenerationException.canceled();
            }
            submitted = submit(request, deadline);
            log.info("Job {}: {} task {} submitted (model {})", request.jobId(), name, submitted.id(), options.model());
            progress.report(2, "submitted to " + http.provider());
            Status status = submitted.status();
            Duration wait = options.pollInterval();
            int polls = 0;
            while (true) {
                if (status == null) {
                    if (polls >= options.maxPolls()) {
                        throw new GenerationException(http.provider() + " did not finish within the poll budget of "
                                + options.maxPolls() + " polls", true, null);
                    }
                    polls++;
                    status = poll(submitted.task(), deadline);
                }
                log.debug("Job {}: {} task {} is {} ({})", request.jobId(), name, submitted.id(), status.state(),
                        status.message());
                switch (status.state()) {
                    case SUCCEEDED -> {
                        progress.report(90, "downloading the video");
                        result(submitted.task(), status, output, progress, deadline);
                        progress.report(100, "video received");
                        ok = true;
                        log.info("Job {}: {} task {} done after {} poll(s)", request.jobId(), name, submitted.id(),
                                polls);
                        return;
                    }
                    case FAILED -> throw status.failure();
                    case QUEUED -> progress.report(5, status.message() == null ? "queued" : status.message());
                    case RUNNING -> progress.running(status.progress(), status.message());
                    default -> throw new IllegalStateException();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw timedOut();
                }
                Duration nap = Duration.ofNanos(Math.min(left, wait.toNanos()));
                if (cancel.await(nap)) {
                    throw GenerationException.canceled();
                }
                if (System.nanoTime() - deadline >= 0) {
                    throw timedOut();
                }
                wait = next(wait);
                status = null;
            }
        } catch (InterruptedException e) {
            // The interrupt is the cancel; the provider's cancel call needs a thread that is not interrupted.
            Thread.interrupted();
            cancelQuietly(request, submitted);
            Thread.currentThread().interrupt();
            throw e;
        } catch (GenerationException failure) {
            // A request cut short by the generation's deadline is the generation timing out.
            GenerationException e = failure.isRetryable() && System.nanoTime() - deadline >= 0 ? timedOut() : failure;
            if (e.kind() == GenerationException.Kind.CANCELED || e.isRetryable()) {
                cancelQuietly(request, submitted);
            }
            log.warn("Job {}: {} generation failed ({}): {}", request.jobId(), name,
                    e.isRetryable() ? "retryable" : e.kind().name().toLowerCase(), e.getMessage());
            throw e;
        } catch (RuntimeException e) {
            cancelQuietly(request, submitted);
            throw new GenerationException(http.provider() + " generation failed unexpectedly", false, e);
        } finally {
            if (!ok) {
                ProviderHttp.deleteQuietly(output);
            }
        }
    }

    private GenerationException timedOut() {
        return new GenerationException(http.provider() + " did not finish within " + options.timeout().toSeconds()
                + " s", true, null);
    }

    private Duration next(Duration wait) {
        long grown = wait.toNanos() + wait.toNanos() / 2;
        return Duration.ofNanos(Math.min(grown, options.pollMaxInterval().toNanos()));
    }

    private void cancelQuietly(GenerationRequest request, Submitted<T> submitted) {
        if (submitted == null) {
            return;
        }
        boolean interrupted = Thread.interrupted();
        try {
            cancel(submitted.task(), CANCEL_TIMEOUT.compareTo(options.httpTimeout()) < 0 ? CANCEL_TIMEOUT
                    : options.httpTimeout());
            log.info("Job {}: {} task {} canceled at the provider", request.jobId(), name, submitted.id());
        } catch (GenerationException | RuntimeException e) {
            log.warn("Job {}: could not cancel {} task {}: {}", request.jobId(), name, submitted.id(), e.getMessage());
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---- helpers for subclasses -------------------------------------------------------------------------------

    /** The request fields every provider gets, then {@code request.params()} on top (they win). */
    protected ObjectNode merge(ObjectNode body, GenerationRequest request) {
        request.params().forEach((k, v) -> body.set(k, http.mapper().valueToTree(v)));
        return body;
    }

    protected URI uri(String pathOrUrl) throws GenerationException {
        try {
            URI u = pathOrUrl.startsWith("http://") || pathOrUrl.startsWith("https://") ? URI.create(pathOrUrl)
                    : URI.create(options.baseUrl() + pathOrUrl);
            if (u.getHost() == null) {
                throw http.malformed("URL without a host", null);
            }
            return u;
        } catch (IllegalArgumentException e) {
            throw http.malformed("invalid URL", e);
        }
    }

    /** A required text field of a provider answer. */
    protected String text(JsonNode node, String pointer) throws GenerationException {
        JsonNode v = node.at(pointer);
        if (v.isTextual() && !v.asText().isBlank()) {
            return v.asText();
        }
        if (v.isIntegralNumber()) {
            return v.asText();
        }
        throw http.malformed("no " + pointer.substring(1).replace('/', '.'), null);
    }

    /** Downloads a result URL without credentials, reporting 90..99. */
    protected void download(URI url, Path output, Progress progress, long deadline)
            throws GenerationException, InterruptedException {
        long[] expected = {-1};
        http.download(url, Map.of(), output, options.maxDownloadBytes(), deadline, len -> expected[0] = len,
                done -> {
                    if (expected[0] > 0) {
                        progress.report(90 + (int) (9 * Math.min(1.0, (double) done / expected[0])), "downloading");
                    }
                });
    }

    /** Rounds the requested duration to the nearest allowed value. */
    protected static int nearest(double seconds, int... allowed) {
        int best = allowed[0];
        for (int a : allowed) {
            if (Math.abs(a - seconds) <= Math.abs(best - seconds)) { // a tie goes to the longer duration
                best = a;
            }
        }
        return best;
    }

    /** Monotonic progress toward the caller's listener. */
    protected static final class Progress {
        private final ProgressListener listener;
        private int last = -1;

        Progress(ProgressListener listener) {
            this.listener = listener;
        }

        void report(int percent, String message) {
            int p = Math.max(0, Math.min(100, percent));
            if (p > last) {
                last = p;
                if (listener != null) {
                    listener.onProgress(p, message);
                }
            }
        }

        /** Provider progress 0..1 → 10..85; without one, creep toward 85 by a tenth of the gap. */
        void running(Double fraction, String message) {
            String m = message == null ? "running" : message;
            if (fraction != null && !fraction.isNaN()) {
                report(10 + (int) Math.round(75 * Math.max(0, Math.min(1, fraction))), m);
            } else {
                int base = Math.max(last, 10);
                report(last < 10 ? 10 : Math.min(85, base + Math.max(1, (85 - base) / 10)), m);
            }
        }
    }
}
