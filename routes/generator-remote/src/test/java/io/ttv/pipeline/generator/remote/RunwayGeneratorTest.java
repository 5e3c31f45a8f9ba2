package io.ttv.pipeline.generator.remote;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import io.ttv.pipeline.generator.GenerationException;
import io.ttv.pipeline.generator.VideoGenerator;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runway tasks API: POST /v1/text_to_video, GET /v1/tasks/{id}, DELETE /v1/tasks/{id}. */
class RunwayGeneratorTest extends RemoteBackendContract {
    static final String TASK = "/v1/tasks/t1";

    @Override
    VideoGenerator generator(RemoteOptions options) {
        return new RunwayGenerator(options, null, MAPPER);
    }

    @Override
    String authHeaderValue() {
        return "Bearer " + KEY;
    }

    @Override
    void stubSubmit(ResponseDefinitionBuilder response) {
        wm.stubFor(post(urlPathEqualTo("/v1/text_to_video")).withHeader("X-Runway-Version", equalTo("2024-11-06"))
                .willReturn(response));
    }

    private void accepted() {
        stubSubmit(json(Map.of("id", "t1")));
        wm.stubFor(delete(urlPathEqualTo(TASK)).willReturn(com.github.tomakehurst.wiremock.client.WireMock
                .aResponse().withStatus(204)));
    }

    @Override
    void stubCompletes(int runningPolls, byte[] video) {
        accepted();
        List<ResponseDefinitionBuilder> states = new ArrayList<>();
        for (int i = 0; i < runningPolls; i++) {
            states.add(i == 0 && runningPolls > 1 ? json(Map.of("id", "t1", "status", "PENDING"))
                    : json(Map.of("id", "t1", "status", "RUNNING", "progress", 0.2 * i)));
        }
        states.add(json(Map.of("id", "t1", "status", "SUCCEEDED", "output", List.of(base() + VIDEO_PATH))));
        stubSequence("runway", () -> get(urlPathEqualTo(TASK)), states);
        stubVideo(video);
    }

    @Override
    void stubProviderFailure() {
        accepted();
        wm.stubFor(get(urlPathEqualTo(TASK)).willReturn(json(Map.of("id", "t1", "status", "FAILED",
                "failure", "The prompt was flagged by moderation", "failureCode", "SAFETY.INPUT.TEXT"))));
    }

    @Override
    void stubRunsForever() {
        accepted();
        wm.stubFor(get(urlPathEqualTo(TASK)).willReturn(json(Map.of("id", "t1", "status", "THROTTLED"))));
    }

    @Override
    RequestPatternBuilder pollRequests() {
        return getRequestedFor(urlPathEqualTo(TASK));
    }

    @Override
    RequestPatternBuilder cancelRequest() {
        return deleteRequestedFor(urlPathEqualTo(TASK));
    }

    @Test
    void anInternalFailureIsRetryable() {
        accepted();
        wm.stubFor(get(urlPathEqualTo(TASK)).willReturn(json(Map.of("id", "t1", "status", "FAILED",
                "failure", "internal error", "failureCode", "INTERNAL.BAD_OUTPUT.CODE01"))));
        GenerationException e = generateFails(generator(options()));
        assertTrue(e.isRetryable(), e.getMessage());
    }

    @Test
    void sendsTheDocumentedTextToVideoBody() throws Exception {
        stubCompletes(1, video(500));
        generator(options()).generate(new io.ttv.pipeline.generator.GenerationRequest("j", "a fox", 5, "1:1", 9L),
                out, null);
        wm.verify(postRequestedFor(urlPathEqualTo("/v1/text_to_video")).withRequestBody(equalToJson(
                "{\"model\":\"test-model\",\"promptText\":\"a fox\",\"ratio\":\"960:960\",\"duration\":5,\"seed\":9}")));
    }
}
