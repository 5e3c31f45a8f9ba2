package io.ttv.pipeline.generator.remote;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import io.ttv.pipeline.generator.VideoGenerator;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

/** fal.ai queue API: submit, status_url?logs=1, response_url, cancel_url (PUT). */
class FalGeneratorTest extends RemoteBackendContract {
    static final String MODEL_PATH = "/test-model";
    static final String REQ = MODEL_PATH + "/requests/req-1";

    @Override
    VideoGenerator generator(RemoteOptions options) {
        return new FalGenerator(options, null, MAPPER);
    }

    @Override
    String authHeaderValue() {
        return "Key " + KEY;
    }

    @Override
    void stubSubmit(ResponseDefinitionBuilder response) {
        wm.stubFor(post(urlPathEqualTo(MODEL_PATH)).willReturn(response));
    }

    private void accepted() {
        stubSubmit(json(Map.of("request_id", "req-1", "status_url", base() + REQ + "/status",
                "response_url", base() + REQ, "cancel_url", base() + REQ + "/cancel")));
        wm.stubFor(put(urlPathEqualTo(REQ + "/cancel")).willReturn(json(202,
                Map.of("status", "CANCELLATION_REQUESTED"))));
    }

    @Override
    void stubCompletes(int runningPolls, byte[] video) {
        accepted();
        List<ResponseDefinitionBuilder> states = new ArrayList<>();
        for (int i = 0; i < runningPolls; i++) {
            states.add(i == 0 && runningPolls > 1
                    ? json(Map.of("status", "IN_QUEUE", "queue_position", 2, "response_url", base() + REQ))
                    : json(Map.of("status", "IN_PROGRESS", "logs", List.of(Map.of("message", "step " + i)))));
        }
        states.add(json(Map.of("status", "COMPLETED", "response_url", base() + REQ)));
        stubSequence("fal", () -> get(urlPathEqualTo(REQ + "/status")).withQueryParam("logs", equalTo("1")), states);
        wm.stubFor(get(urlPathEqualTo(REQ)).willReturn(json(Map.of("video",
                Map.of("url", base() + VIDEO_PATH, "content_type", "video/mp4")))));
        stubVideo(video);
    }

    @Override
    void stubProviderFailure() {
        accepted();
        wm.stubFor(get(urlPathEqualTo(REQ + "/status")).willReturn(json(Map.of("status", "COMPLETED"))));
        // fal answers the result of a request its model refused with the error, e.g. 422 and a detail list.
        wm.stubFor(get(urlPathEqualTo(REQ)).willReturn(json(422,
                "{\"detail\":[{\"loc\":[\"body\",\"prompt\"],\"msg\":\"content policy violation\"}]}")));
    }

    @Override
    void stubRunsForever() {
        accepted();
        wm.stubFor(get(urlPathEqualTo(REQ + "/status")).willReturn(json(Map.of("status", "IN_PROGRESS"))));
    }

    @Override
    RequestPatternBuilder pollRequests() {
        return getRequestedFor(urlPathEqualTo(REQ + "/status"));
    }

    @Override
    RequestPatternBuilder cancelRequest() {
        return putRequestedFor(urlPathEqualTo(REQ + "/cancel"));
    }

    @Test
    void submitsThePromptAndParametersAsTheModelsInput() throws Exception {
        stubCompletes(1, video(1000));
        generator(options()).generate(new io.ttv.pipeline.generator.GenerationRequest("job-1", "a fox", 9, "9:16", 3L,
                Map.of("negative_prompt", "blur")), out, null);
        wm.verify(postRequestedFor(urlPathEqualTo(MODEL_PATH)).withRequestBody(equalToJson(
                "{\"prompt\":\"a fox\",\"aspect_ratio\":\"9:16\",\"duration\":\"9\",\"seed\":3,"
                        + "\"negative_prompt\":\"blur\"}")));
    }
}
