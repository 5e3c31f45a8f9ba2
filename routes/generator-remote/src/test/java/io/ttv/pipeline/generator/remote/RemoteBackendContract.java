package io.ttv.pipeline.generator.remote;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.ttv.pipeline.generator.CancelToken;
import io.ttv.pipeline.generator.GenerationException;
import io.ttv.pipeline.generator.GenerationRequest;
import io.ttv.pipeline.generator.VideoGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The behaviour every remote backend must show against a stub of its provider (WireMock on a free loopback port,
 * following the provider's documented protocol). A subclass supplies the provider-specific stubs.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
abstract class RemoteBackendContract {
    static final String KEY = "sk-test-5ecret-key-123";
    static final String VIDEO_PATH = "/cdn/result/video.mp4";
    static final ObjectMapper MAPPER = new ObjectMapper();

    WireMockServer wm;
    @TempDir
    Path tmp;
    Path out;
    final List<Integer> progress = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startStub() {
        wm = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
        wm.start();
        out = tmp.resolve("out.mp4");
    }

    @AfterEach
    void stopStub() {
        wm.stop();
    }

    // ---- what a provider test supplies ------------------------------------------------------------------------

    abstract VideoGenerator generator(RemoteOptions options);

    /** The submit endpoint answering {@code response} (for error classification). */
    abstract void stubSubmit(ResponseDefinitionBuilder response);

    /** Submit accepted; {@code runningPolls} "running" answers (with rising progress where the provider has one), then done with {@code video}. */
    abstract void stubCompletes(int runningPolls, byte[] video);

    /** Submit accepted; the task ends in the provider's failure state caused by the input. */
    abstract void stubProviderFailure();

    /** Submit accepted; the task stays running forever. */
    abstract void stubRunsForever();

    /** The requests that poll the task's status. */
    abstract RequestPatternBuilder pollRequests();

    /** The provider's cancel request, or {@code null} if the provider documents none. */
    abstract RequestPatternBuilder cancelRequest();

    /** The credential header the provider expects. */
    abstract String authHeaderValue();

    // ---- helpers ----------------------------------------------------------------------------------------------

    String base() {
        return wm.baseUrl();
    }

    RemoteOptions options() {
        return new RemoteOptions(KEY, base(), "test-model", Duration.ofSeconds(10), Duration.ofMillis(10),
                Duration.ofMillis(20), 1000, Duration.ofSeconds(5), 1 << 20);
    }

    GenerationRequest request() {
        return new GenerationRequest("job-42", "a red fox in snow", 5, "16:9", 7L);
    }

    static byte[] video(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }

    void stubVideo(byte[] bytes) {
        wm.stubFor(get(urlPathEqualTo(VIDEO_PATH)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "video/mp4").withBody(bytes)));
    }

    static ResponseDefinitionBuilder json(int status, Object body) {
        try {
            return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                    .withBody(body instanceof String s ? s : MAPPER.writeValueAsString(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static ResponseDefinitionBuilder json(Object body) {
        return json(200, body);
    }

    /** Answers the requests matched by {@code request} with {@code responses} in turn; the last one repeats. */
    void stubSequence(String scenario, Supplier<MappingBuilder> request, List<ResponseDefinitionBuilder> responses) {
        for (int i = 0; i < responses.size(); i++) {
            com.github.tomakehurst.wiremock.client.ScenarioMappingBuilder m = request.get().inScenario(scenario)
                    .whenScenarioStateIs(i == 0 ? Scenario.STARTED : "s" + i);
            if (i < responses.size() - 1) {
                m = m.willSetStateTo("s" + (i + 1));
            }
            wm.stubFor(m.willReturn(responses.get(i)));
        }
    }

    GenerationException generateFails(VideoGenerator g) {
        GenerationException e = assertThrows(GenerationException.class,
                () -> g.generate(request(), out, (p, m) -> progress.add(p)));
        assertFalse(Files.exists(out), "a failed generation leaves no file");
        assertFalse(e.getMessage().contains(KEY), "the key must not be in a message");
        return e;
    }

    // ---- the contract -----------------------------------------------------------------------------------------

    @Test
    void happyPathWritesTheProvidersVideo() throws Exception {
        byte[] video = video(48_000);
        stubCompletes(1, video);
        generator(options()).generate(request(), out, (p, m) -> progress.add(p));
        assertArrayEquals(video, Files.readAllBytes(out));
        assertEquals(100, progress.get(progress.size() - 1));
        wm.verify(RequestPatternBuilder.allRequests().withHeader("Authorization", WireMock.equalTo(authHeaderValue()))
                .withUrl(firstRequestUrl()));
    }

    /** Plain HTTP is spoken as HTTP/1.1 from the start: no h2c upgrade offered on a new connection. */
    @Test
    void plainHttpProvidersAreNotOfferedAnH2cUpgrade() throws Exception {
        stubCompletes(1, video(1_000));
        generator(options()).generate(request(), out, (p, m) -> progress.add(p));
        assertFalse(wm.getAllServeEvents().isEmpty());
        wm.verify(0, RequestPatternBuilder.allRequests().withHeader("Upgrade", WireMock.matching(".*")));
        wm.verify(0, RequestPatternBuilder.allRequests().withHeader("HTTP2-Settings", WireMock.matching(".*")));
    }

    /** URL of the first request the generator made (the submit). */
    String firstRequestUrl() {
        List<com.github.tomakehurst.wiremock.stubbing.ServeEvent> events = wm.getAllServeEvents();
        return events.get(events.size() - 1).getRequest().getUrl();
    }

    @Test
    void slowCompletionReportsMonotonicProgressOverSeveralPolls() throws Exception {
        byte[] video = video(10_000);
        stubCompletes(4, video);
        generator(options()).generate(request(), out, (p, m) -> progress.add(p));
        assertArrayEquals(video, Files.readAllBytes(out));
        assertTrue(wm.findAll(pollRequests()).size() >= 4, "polled until done: " + wm.findAll(pollRequests()).size());
        for (int i = 1; i < progress.size(); i++) {
            assertTrue(progress.get(i) > progress.get(i - 1), "progress must rise: " + progress);
        }
        assertTrue(progress.stream().filter(p -> p > 5 && p < 90).count() >= 3, "progress while running: " + progress);
        assertEquals(100, progress.get(progress.size() - 1));
    }

    @Test
    void providerFailureStateIsNotRetryable() {
        stubProviderFailure();
        GenerationException e = generateFails(generator(options()));
        assertFalse(e.isRetryable(), e.getMessage());
    }

    @Test
    void unauthorizedIsNotRetryable() {
        stubSubmit(json(401, "{\"detail\":\"Invalid key " + KEY + "\"}"));
        GenerationException e = generateFails(generator(options()));
        assertFalse(e.isRetryable());
        assertTrue(e.getMessage().contains("401"), e.getMessage());
    }

    @Test
    void forbiddenIsNotRetryable() {
        stubSubmit(json(403, "{\"detail\":\"forbidden\"}"));
        assertFalse(generateFails(generator(options())).isRetryable());
    }

    @Test
    void invalidInputIsNotRetryable() {
        stubSubmit(json(422, "{\"detail\":\"prompt refused by the content filter\"}"));
        GenerationException e = generateFails(generator(options()));
        assertFalse(e.isRetryable());
        assertTrue(e.getMessage().contains("content filter"), e.getMessage());
    }

    @Test
    void rateLimitIsRetryable() {
        stubSubmit(json(429, "{\"detail\":\"slow down\"}"));
        assertTrue(generateFails(generator(options())).isRetryable());
    }

    @Test
    void serverErrorIsRetryable() {
        stubSubmit(json(503, "{\"detail\":\"overloaded\"}"));
        assertTrue(generateFails(generator(options())).isRetryable());
    }

    @Test
    void connectionFailureIsRetryable() {
        stubSubmit(aResponse().withFault(com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER));
        assertTrue(generateFails(generator(options())).isRetryable());
    }

    @Test
    void malformedAnswerIsNotRetryableAndSaysSo() {
        stubSubmit(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("{not json"));
        GenerationException e = generateFails(generator(options()));
        assertFalse(e.isRetryable());
        assertTrue(e.getMessage().contains("malformed"), e.getMessage());
    }

    @Test
    void aResultLargerThanTheLimitIsRefused() {
        stubCompletes(0, video(4096));
        RemoteOptions o = options();
        RemoteOptions small = new RemoteOptions(o.apiKey(), o.baseUrl(), o.model(), o.timeout(), o.pollInterval(),
                o.pollMaxInterval(), o.maxPolls(), o.httpTimeout(), 1024);
        GenerationException e = generateFails(generator(small));
        assertFalse(e.isRetryable());
        assertTrue(e.getMessage().contains("larger than the limit of 1024 bytes"), e.getMessage());
    }

    @Test
    void theTimeoutEndsTheCallRetryably() {
        stubRunsForever();
        RemoteOptions o = options();
        RemoteOptions quick = new RemoteOptions(o.apiKey(), o.baseUrl(), o.model(), Duration.ofMillis(300),
                o.pollInterval(), o.pollMaxInterval(), o.maxPolls(), o.httpTimeout(), o.maxDownloadBytes());
        long start = System.nanoTime();
        GenerationException e = generateFails(generator(quick));
        assertTrue(e.isRetryable());
        assertTrue(e.getMessage().contains("did not finish within"), e.getMessage());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3), "ends near its time limit");
    }

    @Test
    void aSpentPollBudgetEndsTheCallRetryably() {
        stubRunsForever();
        RemoteOptions o = options();
        RemoteOptions three = new RemoteOptions(o.apiKey(), o.baseUrl(), o.model(), o.timeout(), o.pollInterval(),
                o.pollMaxInterval(), 3, o.httpTimeout(), o.maxDownloadBytes());
        GenerationException e = generateFails(generator(three));
        assertTrue(e.isRetryable());
        assertTrue(e.getMessage().contains("poll budget"), e.getMessage());
        assertEquals(3, wm.findAll(pollRequests()).size());
    }

    @Test
    void anInterruptCancelsAtTheProviderAndReturnsWithinOneSecond() throws Exception {
        stubRunsForever();
        CountDownLatch polled = new CountDownLatch(2);
        wm.addMockServiceRequestListener((req, resp) -> {
            if (pollRequests().build().match(req).isExactMatch()) {
                polled.countDown();
            }
        });
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        CountDownLatch ended = new CountDownLatch(1);
        VideoGenerator g = generator(options());
        Thread worker = new Thread(() -> {
            try {
                g.generate(request(), out, (p, m) -> progress.add(p));
            } catch (Throwable t) {
                thrown.set(t);
            } finally {
                ended.countDown();
            }
        });
        worker.start();
        assertTrue(polled.await(5, TimeUnit.SECONDS), "the generator polls");
        long start = System.nanoTime();
        worker.interrupt();
        assertTrue(ended.await(1, TimeUnit.SECONDS), "the call ends within 1 s of the interrupt");
        assertInstanceOf(InterruptedException.class, thrown.get());
        assertFalse(Files.exists(out));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1));
        if (cancelRequest() != null) {
            wm.verify(1, cancelRequest());
        }
    }

    @Test
    void aCancelTokenCancelsAtTheProviderAndReturnsWithinOneSecond() throws Exception {
        stubRunsForever();
        CancelToken token = new CancelToken();
        CountDownLatch polled = new CountDownLatch(2);
        wm.addMockServiceRequestListener((req, resp) -> {
            if (pollRequests().build().match(req).isExactMatch()) {
                polled.countDown();
            }
        });
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        CountDownLatch ended = new CountDownLatch(1);
        VideoGenerator g = generator(options());
        Thread worker = new Thread(() -> {
            try {
                g.generate(request(), out, (p, m) -> progress.add(p), token);
            } catch (Throwable t) {
                thrown.set(t);
            } finally {
                ended.countDown();
            }
        });
        worker.start();
        assertTrue(polled.await(5, TimeUnit.SECONDS), "the generator polls");
        token.cancel();
        assertTrue(ended.await(1, TimeUnit.SECONDS), "the call ends within 1 s of the cancel");
        GenerationException e = assertInstanceOf(GenerationException.class, thrown.get());
        assertEquals(GenerationException.Kind.CANCELED, e.kind());
        assertFalse(Files.exists(out));
        if (cancelRequest() != null) {
            wm.verify(1, cancelRequest());
        }
    }
}
