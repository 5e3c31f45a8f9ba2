package io.ttv.itests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One trace per job across nodes. An API node and a worker node share Redis and export their spans over OTLP/HTTP
 * (protobuf) to a receiver in this test. A job submitted with a W3C {@code traceparent} is traced on both nodes in
 * that trace; its {@code job.finished} callback carries a {@code traceparent} of the same trace; the worker's log
 * lines about the job carry its {@code trace_id}.
 */
class TracingIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<Exported> SPANS = new CopyOnWriteArrayList<>();
    private static final List<String> CALLBACK_TRACEPARENTS = new CopyOnWriteArrayList<>();
    private static HttpServer receiver;
    private static Distribution api;
    private static Distribution worker;

    /** A span as the receiver got it, with the node that sent it ({@code service.instance.id}). */
    record Exported(String node, String service, Span span) {
        String traceId() {
            return HexFormat.of().formatHex(span.getTraceId().toByteArray());
        }

        String parentId() {
            return HexFormat.of().formatHex(span.getParentSpanId().toByteArray());
        }

        long millis() {
            return (span.getEndTimeUnixNano() - span.getStartTimeUnixNano()) / 1_000_000;
        }

        /** The span's name; Camel's spans (named by component) with the endpoint they are of. */
        String label() {
            String component = attribute("component");
            return component != null && component.startsWith("camel-") ? span.getName() + " " + attribute("url.path")
                    : span.getName();
        }

        String attribute(String key) {
            return span.getAttributesList().stream().filter(a -> a.getKey().equals(key)).findFirst()
                    .map(a -> a.getValue().hasIntValue() ? Long.toString(a.getValue().getIntValue())
                            : a.getValue().getStringValue())
                    .orElse(null);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/v1/traces", exchange -> {
            ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(exchange.getRequestBody());
            for (ResourceSpans rs : request.getResourceSpansList()) {
                String node = resource(rs, "service.instance.id");
                String service = resource(rs, "service.name");
                for (ScopeSpans ss : rs.getScopeSpansList()) {
                    ss.getSpansList().forEach(s -> SPANS.add(new Exported(node, service, s)));
                }
            }
            byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        receiver.createContext("/hook", exchange -> {
            exchange.getRequestBody().readAllBytes();
            CALLBACK_TRACEPARENTS.add(String.valueOf(exchange.getRequestHeaders().getFirst("traceparent")));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        // The worker first: an API node is ready once a worker's heartbeat is live.
        worker = new Distribution(otel("worker-node", Map.of("TTV_ROLE", "worker")));
        api = new Distribution(worker, otel("api-node", Map.of("TTV_ROLE", "api")));
    }

    /** The standard OTEL_* variables pointing a node at the receiver; spans are sent within 200 ms. */
    private static Map<String, String> otel(String instance, Map<String, String> more) {
        Map<String, String> env = new HashMap<>(more);
        env.put("OTEL_TRACES_EXPORTER", "otlp");
        env.put("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + receiver.getAddress().getPort());
        env.put("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
        env.put("OTEL_RESOURCE_ATTRIBUTES", "service.instance.id=" + instance + ",deployment.environment=it");
        env.put("OTEL_BSP_SCHEDULE_DELAY", "200");
        return env;
    }

    @AfterAll
    static void stop() throws Exception {
        if (api != null) {
            api.close();
        }
        if (worker != null) {
            worker.close(); // and the fleet's Redis and GCS emulator
        }
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    @Test
    void aJobIsOneTraceFromTheApiNodeThroughTheWorkerNodeToItsCallback() throws Exception {
        String traceId = hex(16);
        String parentId = hex(8);
        String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        HttpResponse<String> created = api.send(HttpRequest.newBuilder(api.uri("/v1/jobs"))
                .header("Content-Type", "application/json")
                .header("traceparent", "00-" + traceId + "-" + parentId + "-01")
                .header("tracestate", "it=tracing")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"prompt": "a traced fox", "duration_seconds": 1,
                         "callback_url": "%s", "callback_events": ["finished"]}
                        """.formatted(hook))).build());
        assertEquals(202, created.statusCode(), created.body());
        String id = JSON.readTree(created.body()).get("id").asText();

        Processes.await("the job.finished callback", Duration.ofSeconds(180), () -> !CALLBACK_TRACEPARENTS.isEmpty());
        assertEquals("finished", api.job(id).get("status").asText());
        String callbackTrace = CALLBACK_TRACEPARENTS.get(0);
        assertTrue(callbackTrace.matches("00-" + traceId + "-[0-9a-f]{16}-01"),
                "the callback's traceparent continues the job's trace: " + callbackTrace);

        Set<String> workerSpans = Set.of("process rq:queue:default", "direct processing-run-job", "generate",
                "upload final_video.mp4", "upload job.json", "finish", "direct callbacks-attempt", "POST");
        Processes.await("the worker's spans of the job", Duration.ofSeconds(60), () -> names(traceId, "worker-node")
                .containsAll(workerSpans));
        Processes.await("the API node's spans of the job", Duration.ofSeconds(60), () -> names(traceId, "api-node")
                .containsAll(Set.of("send rq:queue:default", "direct intake-create-job")));
        List<Exported> trace = SPANS.stream().filter(s -> s.traceId().equals(traceId))
                .sorted(Comparator.comparingLong(s -> s.span().getStartTimeUnixNano())).toList();
        System.out.println("[tracing] spans of job " + id + " (trace " + traceId + "):");
        for (Exported s : trace) {
            System.out.printf("[tracing]   %-34s %-12s %-9s %6d ms%n", s.label(), s.node(),
                    s.span().getKind().name().replace("SPAN_KIND_", ""), s.millis());
        }

        // The API node continued the incoming traceparent: its first span is a child of the caller's span.
        Exported first = trace.stream().filter(s -> s.node().equals("api-node")).findFirst().orElseThrow();
        assertEquals(parentId, first.parentId(), "the API node's first span continues the incoming traceparent");
        assertEquals("ttv-pipeline", first.service());
        Exported send = only(trace, "send rq:queue:default", "api-node");
        assertEquals("PRODUCER", kind(send));
        assertEquals(id, send.attribute("messaging.message.id"));
        assertEquals("rq:queue:default", send.attribute("messaging.destination.name"));
        Exported process = only(trace, "process rq:queue:default", "worker-node");
        assertEquals("CONSUMER", kind(process));
        assertEquals(HexFormat.of().formatHex(send.span().getSpanId().toByteArray()), process.parentId(),
                "the worker's claim continues the API node's queuing");
        assertEquals("process", process.attribute("messaging.operation.type"));
        Exported generate = only(trace, "generate", "worker-node");
        assertEquals(id, generate.attribute("job.id"));
        assertEquals("local", generate.attribute("generator"));
        Exported post = only(trace, "POST", "worker-node");
        assertEquals("CLIENT", kind(post));
        assertEquals("200", post.attribute("http.response.status_code"));
        assertEquals(id, post.attribute("job.id"));
        assertEquals(callbackTrace.substring(36, 52), HexFormat.of().formatHex(post.span().getSpanId().toByteArray()),
                "the callback's traceparent names its POST span");
        Set<String> attempts = trace.stream().filter(s -> s.label().equals("direct callbacks-attempt"))
                .map(s -> HexFormat.of().formatHex(s.span().getSpanId().toByteArray())).collect(Collectors.toSet());
        assertTrue(attempts.contains(post.parentId()), "the POST is a step of Camel's callbacks-attempt span");

        // Probes and scrapes (the test polled /readyz while the nodes started) and claim loops make no spans.
        List<String> noise = SPANS.stream().map(Exported::label)
                .filter(l -> l.matches(".*(readyz|healthz|metrics|timer|queue-claim).*")).distinct().toList();
        assertTrue(noise.isEmpty(), "spans of probes, scrapes or timers: " + noise);

        // Every log line of the worker about the job was written in a span of its trace.
        Path log = worker.karafHome.resolve("data/log/karaf.log");
        Processes.await("the worker's last line about the job", Duration.ofSeconds(30),
                () -> worker.karafLog().contains("Callback msg_" + id + "_finished delivered"));
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            if (line.startsWith("{")) {
                JsonNode json = JSON.readTree(line);
                if (id.equals(json.get("job_id").asText())) {
                    lines.add(json);
                }
            }
        }
        assertFalse(lines.isEmpty(), "the worker logged the job");
        for (JsonNode line : lines) {
            assertEquals(traceId, line.get("trace_id").asText(), "trace_id of " + line);
            assertTrue(line.get("span_id").asText().matches("[0-9a-f]{16}"), "span_id of " + line);
        }
        System.out.printf("[tracing] %d worker log lines of the job, all with trace_id %s%n", lines.size(), traceId);
    }

    private static Set<String> names(String traceId, String node) {
        return SPANS.stream().filter(s -> s.traceId().equals(traceId) && node.equals(s.node()))
                .map(Exported::label).collect(Collectors.toSet());
    }

    private static Exported only(List<Exported> trace, String name, String node) {
        List<Exported> found = trace.stream().filter(s -> s.label().equals(name) && s.node().equals(node))
                .toList();
        assertEquals(1, found.size(), "spans " + name + " on " + node);
        return found.get(0);
    }

    private static String kind(Exported s) {
        return s.span().getKind().name().replace("SPAN_KIND_", "");
    }

    private static String resource(ResourceSpans rs, String key) {
        return rs.getResource().getAttributesList().stream().filter(a -> a.getKey().equals(key))
                .map(KeyValue::getValue).map(v -> v.getStringValue()).findFirst().orElse(null);
    }

    private static String hex(int bytes) {
        byte[] b = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(b);
        b[0] |= 1; // never all zero (an invalid id)
        return HexFormat.of().formatHex(b);
    }
}
