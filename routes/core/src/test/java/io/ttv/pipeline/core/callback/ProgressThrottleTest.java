package io.ttv.pipeline.core.callback;

import io.ttv.pipeline.core.flow.CallbackEndpoints;
import io.ttv.pipeline.core.flow.JobHeaders;
import io.ttv.pipeline.core.redis.CallbackQueue;
import io.ttv.pipeline.testing.TestRedis;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressThrottleTest {
    @RegisterExtension
    static final TestRedis redis = TestRedis.perClass();

    @Test
    void atMostOnePerIntervalPerJob() {
        AtomicLong now = new AtomicLong(1_000);
        ProgressThrottle t = new ProgressThrottle(Duration.ofSeconds(5), now::get);
        assertTrue(t.allow("a"));
        assertTrue(t.allow("b"));
        now.addAndGet(Duration.ofMillis(4_999).toNanos());
        assertFalse(t.allow("a"));
        assertFalse(t.allow("b"));
        now.addAndGet(Duration.ofMillis(1).toNanos());
        assertTrue(t.allow("a"));
        assertFalse(t.allow("a"));
        t.forget("a");
        assertTrue(t.allow("a"));
        t.forget("a");
        t.forget("b");
        assertEquals(0, t.tracked());
    }

    @Test
    void theOutboxQueuesOneProgressEventPerFiveSecondsAndEveryOtherEvent() throws Exception {
        DefaultCamelContext camel = outboxToMock();
        try {
            MockEndpoint events = camel.getEndpoint("mock:events", MockEndpoint.class);
            events.expectedHeaderValuesReceivedInAnyOrder(JobHeaders.CALLBACK_EVENT,
                    "started", "progress", "progress", "finished", "progress");
            events.setAssertPeriod(300); // after the five, nothing more may arrive: extras would fail the test
            // The outbox queues an event in Redis (and hands it over) only for a job that subscribed to it.
            for (String job : new String[] {"job-1", "job-2"}) {
                redis.clients().template().opsForHash().putAll(redis.clients().keys().job(job), Map.of("id", job,
                        "callback_url", "https://hooks.example/", "callback_events", "started,progress,finished"));
            }
            CallbackOutbox outbox = new CallbackOutbox(camel,
                    new CallbackQueue(redis.clients().template(), redis.clients().keys()));
            long start = System.nanoTime();
            outbox.publish("job-1", "started");
            for (int i = 0; i < 100; i++) {
                outbox.progress("job-1");
                outbox.progress("job-2");
            }
            outbox.publish("job-1", "finished");
            outbox.progress("job-1"); // a new run of the job (a retry) starts a new window
            assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(CallbackOutbox.PROGRESS_INTERVAL) < 0,
                    "too slow for the assertion to mean anything");
            events.assertIsSatisfied(10_000);
        } finally {
            camel.stop();
        }
    }

    @Test
    void aStepOfAHeldJobWithoutTheCallbackCostsNoRedisCall() throws Exception {
        DefaultCamelContext camel = outboxToMock();
        try {
            MockEndpoint events = camel.getEndpoint("mock:events", MockEndpoint.class);
            events.expectedHeaderValuesReceivedInAnyOrder(JobHeaders.CALLBACK_EVENT, "finished");
            events.setAssertPeriod(300);
            // Redis says both jobs subscribed; what the worker holds decides, so no call is made for job-3.
            for (String job : new String[] {"job-3", "job-4"}) {
                redis.clients().template().opsForHash().putAll(redis.clients().keys().job(job), Map.of("id", job,
                        "callback_url", "https://hooks.example/", "callback_events", "finished"));
            }
            CallbackOutbox outbox = new CallbackOutbox(camel,
                    new CallbackQueue(redis.clients().template(), redis.clients().keys()));
            step(camel, outbox, "job-3", Map.of("id", "job-3"));
            step(camel, outbox, "job-4", Map.of("id", "job-4", "callback_url", "https://hooks.example/",
                    "callback_events", "started,finished"));
            events.assertIsSatisfied(10_000);
            assertEquals(java.util.Set.of("job-4_finished"),
                    redis.clients().template().opsForZSet().range(redis.clients().keys().callbacksDue(), 0, -1));
        } finally {
            camel.stop();
        }
    }

    private static void step(DefaultCamelContext camel, CallbackOutbox outbox, String id, Map<String, String> held) {
        org.apache.camel.Exchange exchange = new org.apache.camel.support.DefaultExchange(camel);
        exchange.setProperty(JobHeaders.JOB_ID, id);
        exchange.setProperty(JobHeaders.JOB, held);
        exchange.getMessage().setHeader(JobHeaders.CALLBACK_EVENT, "finished");
        outbox.process(exchange);
    }

    /** A started context whose outbox hands off to {@code mock:events}. */
    private static DefaultCamelContext outboxToMock() throws Exception {
        DefaultCamelContext camel = new DefaultCamelContext();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(CallbackEndpoints.OUTBOX).to("mock:events");
            }
        });
        camel.start();
        return camel;
    }
}
