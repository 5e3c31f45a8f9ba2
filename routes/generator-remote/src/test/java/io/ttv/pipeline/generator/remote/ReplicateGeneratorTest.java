package io.ttv.pipeline.generator.remote;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import io.ttv.pipeline.generator.VideoGenerator;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Replicate predictions API: create with Prefer: wait, GET urls.get, POST urls.cancel. */
class ReplicateGeneratorTest extends RemoteBackendContract {
    static final String CREATE = "/v1/models/acme/video-model/predictions";
    static final String PRED = "/v1/predictions/p1";

    @Override
    VideoGenerator generator(RemoteOptions o) {
        return new ReplicateGenerator(new RemoteOptions(o.apiKey(), o.baseUrl(), "acme/video-model", o.timeout(),
                o.pollInterval(), o.pollMaxInterval(), o.maxPolls(), o.httpTimeout(), o.maxDownloadBytes()), 5, null,
                MAPPER);
    }

    @Override
    String authHeaderValue() {
        return "Bearer " + KEY;
    }

    @Override
    void stubSubmit(ResponseDefinitionBuilder response) {
        wm.stubFor(post(urlPathEqualTo(CREATE)).willReturn(response));
    }

    private Map<String, Object> prediction(String status, Object extra) {
        Map<String, Object> p = new java.util.HashMap<>(Map.of("id", "p1", "status", status, "urls",
                Map.of("get", base() + PRED, "cancel", base() + PRED + "/cancel")));
        if (extra instanceof Map<?, ?> m) {
            m.forEach((k, v) -> p.put((String) k, v));
        }
        return p;
    }

    private void accepted() {
        stubSubmit(json(201, prediction("starting", null)));
        wm.stubFor(post(urlPathEqualTo(PRED + "/cancel")).willReturn(json(prediction("canceled", null))));
    }

    @Override
    void stubCompletes(int runningPolls, byte[] video) {
        accepted();
        List<ResponseDefinitionBuilder> states = new ArrayList<>();
        for (int i = 0; i < runningPolls; i++) {
            states.add(json(prediction("processing", Map.of("logs", "loading\n" + (20 * (i + 1)) + "%|###"))));
        }
        states.add(json(prediction("succeeded", Map.of("output", List.of(base() + VIDEO_PATH)))));
        stubSequence("replicate", () -> get(urlPathEqualTo(PRED)), states);
        stubVideo(video);
    }

    @Override
    void stubProviderFailure() {
        accepted();
        wm.stubFor(get(urlPathEqualTo(PRED)).willReturn(json(prediction("failed",
                Map.of("error", "NSFW content detected in the prompt")))));
    }

    @Override
    void stubRunsForever() {
        accepted();
        wm.stubFor(get(urlPathEqualTo(PRED)).willReturn(json(prediction("processing", Map.of("logs", "")))));
    }

    @Override
    RequestPatternBuilder pollRequests() {
        return getRequestedFor(urlPathEqualTo(PRED));
    }

    @Override
    RequestPatternBuilder cancelRequest() {
        return postRequestedFor(urlPathEqualTo(PRED + "/cancel"));
    }

    @Test
    void aPredictionCompletedWithinPreferWaitNeedsNoPoll() throws Exception {
        byte[] video = video(3000);
        stubSubmit(json(201, prediction("succeeded", Map.of("output", base() + VIDEO_PATH))));
        stubVideo(video);
        generator(options()).generate(request(), out, null);
        assertArrayEquals(video, Files.readAllBytes(out));
        assertEquals(0, wm.findAll(pollRequests()).size());
        wm.verify(postRequestedFor(urlPathEqualTo(CREATE)).withHeader("Prefer", equalTo("wait=5"))
                .withRequestBody(matchingJsonPath("$.input.prompt", equalTo("a red fox in snow"))));
    }

    @Test
    void aVersionedModelIsCreatedThroughV1Predictions() throws Exception {
        byte[] video = video(3000);
        wm.stubFor(post(urlPathEqualTo("/v1/predictions")).willReturn(json(201,
                prediction("succeeded", Map.of("output", base() + VIDEO_PATH)))));
        stubVideo(video);
        RemoteOptions o = options();
        new ReplicateGenerator(new RemoteOptions(o.apiKey(), o.baseUrl(), "acme/video-model:abc123", o.timeout(),
                o.pollInterval(), o.pollMaxInterval(), o.maxPolls(), o.httpTimeout(), o.maxDownloadBytes()), 0, null,
                MAPPER).generate(request(), out, null);
        assertArrayEquals(video, Files.readAllBytes(out));
        wm.verify(postRequestedFor(urlPathEqualTo("/v1/predictions"))
                .withRequestBody(matchingJsonPath("$.version", equalTo("abc123"))));
    }
}
