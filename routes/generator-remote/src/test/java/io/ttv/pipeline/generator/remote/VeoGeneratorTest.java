package io.ttv.pipeline.generator.remote;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import io.ttv.pipeline.generator.GenerationException;
import io.ttv.pipeline.generator.VideoGenerator;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Vertex AI Veo: :predictLongRunning, then :fetchPredictOperation until done; result inline (bytesBase64Encoded) or
 * a gs:// URI read through the injected reader. No cancel API is documented for these operations.
 */
class VeoGeneratorTest extends RemoteBackendContract {
    static final String MODEL = "/v1/projects/proj-1/locations/us-central1/publishers/google/models/veo-3.0-test";
    static final String OP = MODEL.substring(4) + "/operations/op-1";
    final Map<String, byte[]> bucket = new ConcurrentHashMap<>();
    String outputGcsUri = "";

    @Override
    VideoGenerator generator(RemoteOptions o) {
        return new VeoGenerator(new RemoteOptions(o.apiKey(), o.baseUrl(), "veo-3.0-test", o.timeout(),
                o.pollInterval(), o.pollMaxInterval(), o.maxPolls(), o.httpTimeout(), o.maxDownloadBytes()),
                "proj-1", "us-central1", outputGcsUri, () -> KEY, (uri, target, max) -> {
                    byte[] b = bucket.get(uri);
                    if (b == null) {
                        throw new java.io.IOException("no such object");
                    }
                    if (b.length > max) {
                        throw new GenerationException("too large", false, null);
                    }
                    Files.write(target, b);
                }, null, MAPPER);
    }

    @Override
    String authHeaderValue() {
        return "Bearer " + KEY;
    }

    @Override
    void stubSubmit(ResponseDefinitionBuilder response) {
        wm.stubFor(post(urlPathEqualTo(MODEL + ":predictLongRunning")).willReturn(response));
    }

    private void accepted() {
        stubSubmit(json(Map.of("name", OP)));
    }

    private com.github.tomakehurst.wiremock.client.MappingBuilder fetch() {
        return post(urlPathEqualTo(MODEL + ":fetchPredictOperation"))
                .withRequestBody(matchingJsonPath("$.operationName", equalTo(OP)));
    }

    private static Map<String, Object> done(Map<String, Object> video) {
        return Map.of("name", OP, "done", true, "response", Map.of(
                "@type", "type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse",
                "videos", List.of(video)));
    }

    @Override
    void stubCompletes(int runningPolls, byte[] video) {
        accepted();
        List<ResponseDefinitionBuilder> states = new ArrayList<>();
        for (int i = 0; i < runningPolls; i++) {
            states.add(json(Map.of("name", OP)));
        }
        states.add(json(done(Map.of("bytesBase64Encoded", Base64.getEncoder().encodeToString(video),
                "mimeType", "video/mp4"))));
        stubSequence("veo", this::fetch, states);
    }

    @Override
    void stubProviderFailure() {
        accepted();
        wm.stubFor(fetch().willReturn(json(Map.of("name", OP, "done", true, "error",
                Map.of("code", 3, "message", "The prompt violates the usage guidelines")))));
    }

    @Override
    void stubRunsForever() {
        accepted();
        wm.stubFor(fetch().willReturn(json(Map.of("name", OP, "done", false))));
    }

    @Override
    RequestPatternBuilder pollRequests() {
        return postRequestedFor(urlPathEqualTo(MODEL + ":fetchPredictOperation"));
    }

    @Override
    RequestPatternBuilder cancelRequest() {
        return null;
    }

    @Test
    void aGcsResultIsReadThroughTheInjectedReader() throws Exception {
        outputGcsUri = "gs://veo-out/ttv";
        byte[] video = video(5000);
        bucket.put("gs://veo-out/ttv/job-42/sample_0.mp4", video);
        accepted();
        wm.stubFor(fetch().willReturn(json(done(Map.of("gcsUri", "gs://veo-out/ttv/job-42/sample_0.mp4",
                "mimeType", "video/mp4")))));
        generator(options()).generate(request(), out, null);
        assertArrayEquals(video, Files.readAllBytes(out));
        wm.verify(postRequestedFor(urlPathEqualTo(MODEL + ":predictLongRunning"))
                .withRequestBody(matchingJsonPath("$.instances[0].prompt", equalTo("a red fox in snow")))
                .withRequestBody(matchingJsonPath("$.parameters.storageUri", equalTo("gs://veo-out/ttv/job-42/")))
                .withRequestBody(matchingJsonPath("$.parameters.durationSeconds", equalTo("6")))
                .withRequestBody(matchingJsonPath("$.parameters.aspectRatio", equalTo("16:9")))
                .withRequestBody(matchingJsonPath("$.parameters.seed", equalTo("7"))));
    }

    @Test
    void aResourceExhaustedOperationIsRetryable() {
        accepted();
        wm.stubFor(fetch().willReturn(json(Map.of("name", OP, "done", true, "error",
                Map.of("code", 8, "message", "Quota exceeded")))));
        assertTrue(generateFails(generator(options())).isRetryable());
    }

    @Test
    void aFilteredResultIsNotRetryable() {
        accepted();
        wm.stubFor(fetch().willReturn(json(Map.of("name", OP, "done", true, "response",
                Map.of("raiMediaFilteredCount", 1, "raiMediaFilteredReasons", List.of("filtered"))))));
        GenerationException e = generateFails(generator(options()));
        assertFalse(e.isRetryable());
        assertTrue(e.getMessage().contains("content filter"), e.getMessage());
    }
}
