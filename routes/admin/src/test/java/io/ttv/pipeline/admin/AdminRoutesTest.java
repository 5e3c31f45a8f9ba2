package io.ttv.pipeline.admin;

import io.ttv.pipeline.core.flow.CallbackEndpoints;
import io.ttv.pipeline.core.flow.JobHeaders;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ttv.pipeline.core.app.NodeAssembly;
import io.ttv.pipeline.core.config.PipelineConfig;
import io.ttv.pipeline.core.redis.JobStore;
import io.ttv.pipeline.testing.TestRedis;
import io.ttv.pipeline.core.redis.CallbackDeadLetters;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin dead-letter endpoints over real HTTP against a real Redis: API-key protection, listing with a limit,
 * replay of one and of all (handed to the callback outbox, here a mock), and the error answers.
 */
class AdminRoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "admin-test-key";
    @RegisterExtension
    static final TestRedis redis = TestRedis.perClass();
    private final HttpClient http = HttpClient.newHttpClient();
    private int httpPort;
    private CallbackDeadLetters deadLetters;
    private NodeAssembly node;

    @BeforeEach
    void startNode() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            httpPort = s.getLocalPort();
        }
        node = NodeAssembly.create(PipelineConfig.resolve(Map.of(), Map.of(
                "TTV_REDIS_URL", redis.url(),
                "TTV_HTTP_PORT", Integer.toString(httpPort),
                "TTV_HTTP_HOST", "127.0.0.1",
                "TTV_API_KEYS", KEY,
                "TTV_ROLE", "api",
                "TTV_GCS_ENDPOINT", "http://127.0.0.1:1")), "test", "test");
        deadLetters = node.node().deadLetters();
        node.flows().add(new AdminFlow(), "test", node.node());
        node.camel().addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                // Stands in for callbacks-deliver: what a replay hands to delivery.
                from(CallbackEndpoints.OUTBOX).to("mock:delivered");
            }
        });
        node.camel().start();
    }

    @AfterEach
    void stopNode() {
        node.close();
    }

    private MockEndpoint getMockEndpoint(String uri) {
        return node.camel().getEndpoint(uri, MockEndpoint.class);
    }

    @Test
    void needsAnApiKey() throws Exception {
        for (String[] call : new String[][] {{"GET", "/v1/admin/callbacks/dead-letters"},
                {"POST", "/v1/admin/callbacks/dead-letters/replay"},
                {"POST", "/v1/admin/callbacks/dead-letters/x_finished/replay"}}) {
            HttpResponse<String> r = send(call[0], call[1], null);
            assertEquals(401, r.statusCode(), call[1]);
            assertEquals("Unauthorized", JSON.readTree(r.body()).get("error").asText());
            assertEquals(401, send(call[0], call[1], "wrong-key").statusCode(), call[1]);
        }
    }

    @Test
    void listsWithALimitOldestFirst() throws Exception {
        deadLetters.record("00000000-0000-4000-8000-000000000001", "finished", "https://a.example/hook", "HTTP 500", 8);
        deadLetters.record("00000000-0000-4000-8000-000000000002", "failed", "https://b.example/hook", "timeout", 8);
        JsonNode all = JSON.readTree(send("GET", "/v1/admin/callbacks/dead-letters", KEY).body());
        assertEquals(2, all.get("dead_letters").size());
        JsonNode first = all.get("dead_letters").get(0);
        assertEquals("00000000-0000-4000-8000-000000000001_finished", first.get("id").asText());
        assertEquals("finished", first.get("event").asText());
        assertEquals("https://a.example/hook", first.get("target").asText());
        assertEquals(8, first.get("attempts").asInt());
        assertEquals(1, JSON.readTree(send("GET", "/v1/admin/callbacks/dead-letters?limit=1", KEY).body())
                .get("dead_letters").size());
        for (String bad : new String[] {"0", "1001", "x"}) {
            HttpResponse<String> r = send("GET", "/v1/admin/callbacks/dead-letters?limit=" + bad, KEY);
            assertEquals(400, r.statusCode(), bad);
            assertEquals("ValidationError", JSON.readTree(r.body()).get("error").asText());
        }
    }

    @Test
    void replaysOneThenAllOnce() throws Exception {
        String job1 = "00000000-0000-4000-8000-000000000001";
        String job2 = "00000000-0000-4000-8000-000000000002";
        deadLetters.record(job1, "finished", "https://a.example/hook", "HTTP 500", 8);
        deadLetters.record(job2, "failed", "https://a.example/hook", "HTTP 500", 8);
        MockEndpoint delivered = getMockEndpoint("mock:delivered");
        delivered.expectedMessageCount(2);
        delivered.expectedHeaderValuesReceivedInAnyOrder(JobHeaders.CALLBACK_EVENT, "finished", "failed");
        delivered.expectedPropertyValuesReceivedInAnyOrder(JobHeaders.JOB_ID, job1, job2);

        HttpResponse<String> one = send("POST", "/v1/admin/callbacks/dead-letters/" + job1 + "_finished/replay", KEY);
        assertEquals(200, one.statusCode(), one.body());
        assertEquals(1, JSON.readTree(one.body()).get("replayed").asInt());
        HttpResponse<String> again = send("POST", "/v1/admin/callbacks/dead-letters/" + job1 + "_finished/replay", KEY);
        assertEquals(404, again.statusCode(), "a replayed entry is gone");
        JsonNode error = JSON.readTree(again.body());
        assertEquals("NotFound", error.get("error").asText());
        assertTrue(error.has("request_id") && error.has("timestamp") && error.has("details") && error.has("retryable"));

        HttpResponse<String> all = send("POST", "/v1/admin/callbacks/dead-letters/replay", KEY);
        assertEquals(200, all.statusCode(), all.body());
        assertEquals(1, JSON.readTree(all.body()).get("replayed").asInt());
        assertEquals(0, JSON.readTree(send("POST", "/v1/admin/callbacks/dead-letters/replay", KEY).body())
                .get("replayed").asInt());

        delivered.assertIsSatisfied(5, TimeUnit.SECONDS);
        assertTrue(new JobStore(redis.clients().template(), redis.clients().keys()).logs(job1, 10).stream()
                .anyMatch(l -> l.endsWith("callback finished replayed by an operator (http)")));

        HttpResponse<String> malformed = send("POST", "/v1/admin/callbacks/dead-letters/a*b/replay", KEY);
        assertEquals(400, malformed.statusCode(), malformed.body());
        assertEquals("ValidationError", JSON.readTree(malformed.body()).get("error").asText());
        assertEquals(405, send("DELETE", "/v1/admin/callbacks/dead-letters", KEY).statusCode());
    }

    @Test
    void openApiDescribesTheAdminEndpointsAsProtected() throws Exception {
        JsonNode doc = JSON.readTree(send("GET", "/openapi.json", null).body());
        JsonNode list = doc.at("/paths/~1v1~1admin~1callbacks~1dead-letters/get");
        assertEquals("#/components/schemas/DeadLetterList",
                list.at("/responses/200/content/application~1json/schema/$ref").asText(), list.toString());
        assertTrue(list.at("/responses").has("401") && list.has("security"), list.toString());
        JsonNode one = doc.at("/paths/~1v1~1admin~1callbacks~1dead-letters~1{id}~1replay/post");
        assertTrue(one.at("/responses").has("404") && one.at("/responses").has("401"), one.toString());
        assertTrue(doc.at("/paths/~1v1~1admin~1callbacks~1dead-letters~1replay/post").has("responses"));
        assertTrue(doc.at("/components/schemas/Replayed/properties").has("replayed"));
    }

    private HttpResponse<String> send(String method, String path, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
