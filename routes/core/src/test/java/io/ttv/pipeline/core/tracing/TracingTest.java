package io.ttv.pipeline.core.tracing;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Scope;
import io.ttv.pipeline.core.config.ConfigException;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TracingTest {
    private static final List<String> PROPERTIES = List.of("otel.traces.exporter", "otel.exporter.otlp.protocol",
            "otel.exporter.otlp.endpoint", "otel.bsp.schedule.delay");
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String STORED = "00-" + TRACE + "-00f067aa0ba902b7-01 vendor=a1,other=b2";

    @AfterEach
    void clear() {
        PROPERTIES.forEach(System::clearProperty);
    }

    @Test
    void offUnlessAnExporterIsNamed() throws Exception {
        assertFalse(Tracing.fromEnvironment("node-1").enabled());
        System.setProperty("otel.traces.exporter", "none");
        Tracing off = Tracing.fromEnvironment("node-1");
        assertFalse(off.enabled());
        assertNull(off.capture());
        assertFalse(off.start("x", SpanKind.INTERNAL, STORED, Attributes.empty()).getSpanContext().isValid());
        DefaultMessage message = new DefaultMessage(new DefaultCamelContext());
        off.join(message, STORED);
        assertTrue(message.getHeaders().isEmpty(), "nothing joined when off");
        assertEquals("done", off.call("x", SpanKind.INTERNAL, Attributes.empty(), () -> "done"));
    }

    @Test
    void onlyHttpProtobufIsAccepted() {
        System.setProperty("otel.traces.exporter", "otlp");
        System.setProperty("otel.exporter.otlp.protocol", "grpc");
        ConfigException e = assertThrows(ConfigException.class, () -> Tracing.fromEnvironment("node-1"));
        assertTrue(e.getMessage().contains("OTEL_EXPORTER_OTLP_PROTOCOL"), e.getMessage());
    }

    @Test
    void anUnknownExporterStopsTheStartNamingTracing() {
        System.setProperty("otel.traces.exporter", "carrier-pigeon");
        ConfigException e = assertThrows(ConfigException.class, () -> Tracing.fromEnvironment("node-1"));
        assertTrue(e.getMessage().contains("OTEL_"), e.getMessage());
    }

    /**
     * What a job stores is what a worker continues: same trace, tracestate kept; a step's span is a child of the
     * current one. (Its log lines' ids need an SLF4J binding that keeps the MDC: TracingIT reads them in Karaf.)
     */
    @Test
    void aStoredTraceIsContinuedAndLoggedWithinItsSpans() throws Exception {
        System.setProperty("otel.traces.exporter", "otlp");
        System.setProperty("otel.exporter.otlp.endpoint", "http://127.0.0.1:9");
        System.setProperty("otel.bsp.schedule.delay", "600000");
        try (Tracing tracing = Tracing.fromEnvironment("node-1")) {
            assertTrue(tracing.enabled());
            assertNull(tracing.capture(), "no span, nothing to store");
            Span claim = tracing.start("process rq:queue:default", SpanKind.CONSUMER, STORED,
                    Tracing.queueHop("process", "job-1", "local"));
            assertEquals(TRACE, claim.getSpanContext().getTraceId());
            try (Scope ignored = claim.makeCurrent()) {
                String stored = tracing.capture();
                assertTrue(stored.startsWith("00-" + TRACE + "-" + claim.getSpanContext().getSpanId() + "-01 "),
                        stored);
                assertTrue(stored.endsWith("vendor=a1,other=b2"), stored);
                Span inner = tracing.call("generate", SpanKind.INTERNAL, Attributes.empty(), Span::current);
                assertEquals(TRACE, inner.getSpanContext().getTraceId());
                assertFalse(inner.isRecording(), "ended with its step");
                assertEquals(claim, Span.current(), "the outer span is current again");
                assertThrows(IllegalStateException.class, () -> tracing.call("fails", SpanKind.INTERNAL,
                        Attributes.empty(), () -> {
                            throw new IllegalStateException("step failed");
                        }));
                DefaultMessage message = new DefaultMessage(new DefaultCamelContext());
                tracing.join(message, claim);
                assertTrue(message.getHeader("traceparent", String.class).contains(TRACE));
            } finally {
                claim.end();
            }
            DefaultMessage message = new DefaultMessage(new DefaultCamelContext());
            tracing.join(message, STORED);
            assertEquals("00-" + TRACE + "-00f067aa0ba902b7-01", message.getHeader("traceparent"));
            assertEquals("vendor=a1,other=b2", message.getHeader("tracestate"));
            assertFalse(tracing.start("x", SpanKind.INTERNAL, "garbage", Attributes.empty()).getSpanContext()
                    .getTraceId().equals(TRACE), "a malformed stored trace starts a new one");
        }
    }
}
