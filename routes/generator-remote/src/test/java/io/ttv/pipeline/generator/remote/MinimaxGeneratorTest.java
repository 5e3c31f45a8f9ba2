package io.ttv.pipeline.generator.remote;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import io.ttv.pipeline.generator.GenerationException;
import io.ttv.pipeline.generator.VideoGenerator;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MiniMax: POST /v1/video_generation, GET /v1/query/video_generation, GET /v1/files/retrieve; no cancel API. */
class MinimaxGeneratorTest extends RemoteBackendContract {
    static final String QUERY = "/v1/query/video_generation";
    static final Map<String, Object> OK = Map.of("status_code", 0, "status_msg", "success");

    @Override
    VideoGenerator generator(RemoteOptions options) {
        return new MinimaxGenerator(options, null, MAPPER);
    }

    @Override
    String authHeaderValue() {
        return "Bearer " + KEY;
    }

    @Override
    void stubSubmit(ResponseDefinitionBuilder response) {
        wm.stubFor(post(urlPathEqualTo("/v1/video_generation")).willReturn(response));
    }

    private void accepted() {
        stubSubmit(json(Map.of("task_id", "m1", "base_resp", OK)));
    }

    private ResponseDefinitionBuilder task(String status) {
        return json(Map.of("task_id", "m1", "status", status, "file_id", "", "base_resp", OK));
    }

    @Override
    void stubCompletes(int runningPolls, byte[] video) {
        accepted();
        List<ResponseDefinitionBuilder> states = new ArrayList<>();
        for (int i = 0; i < runningPolls; i++) {
            states.add(task(i == 0 && runningPolls > 1 ? "Queueing" : "Processing"));
        }
        states.add(json(Map.of("task_id", "m1", "status", "Success", "file_id", "f1", "base_resp", OK)));
        stubSequence("minimax", () -> get(urlPathEqualTo(QUERY)).withQueryParam("task_id", equalTo("m1")), states);
        wm.stubFor(get(urlPathEqualTo("/v1/files/retrieve")).withQueryParam("file_id", equalTo("f1"))
                .willReturn(json(Map.of("file", Map.of("file_id", "f1", "filename", "output.mp4",
                        "purpose", "video_generation", "download_url", base() + VIDEO_PATH), "base_resp", OK))));
        stubVideo(video);
    }

    @Override
    void stubProviderFailure() {
        accepted();
        wm.stubFor(get(urlPathEqualTo(QUERY)).willReturn(task("Fail")));
    }

    @Override
    void stubRunsForever() {
        accepted();
        wm.stubFor(get(urlPathEqualTo(QUERY)).willReturn(task("Processing")));
    }

    @Override
    RequestPatternBuilder pollRequests() {
        return getRequestedFor(urlPathEqualTo(QUERY));
    }

    @Override
    RequestPatternBuilder cancelRequest() {
        return null;
    }

    @Test
    void aRateLimitInBaseRespIsRetryable() {
        stubSubmit(json(Map.of("task_id", "", "base_resp", Map.of("status_code", 1002, "status_msg", "rate limit"))));
        assertTrue(generateFails(generator(options())).isRetryable());
    }

    @Test
    void aSensitiveContentCodeInBaseRespIsNotRetryable() {
        stubSubmit(json(Map.of("task_id", "", "base_resp",
                Map.of("status_code", 1026, "status_msg", "input new_sensitive"))));
        GenerationException e = generateFails(generator(options()));
        assertFalse(e.isRetryable());
        assertTrue(e.getMessage().contains("1026"), e.getMessage());
    }

    @Test
    void anAuthCodeInBaseRespIsNotRetryable() {
        stubSubmit(json(Map.of("base_resp", Map.of("status_code", 1004, "status_msg", "login fail " + KEY))));
        assertFalse(generateFails(generator(options())).isRetryable());
    }
}
