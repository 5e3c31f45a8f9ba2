package io.ttv.pipeline.core.flow;

import io.ttv.pipeline.core.app.NodeAssembly;
import io.ttv.pipeline.core.config.PipelineConfig;
import io.ttv.pipeline.core.config.PipelineConfig.Role;
import io.ttv.pipeline.testing.TestRedis;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.ServiceStatus;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.support.service.ServiceSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Flows come and go on a running node's context: their routes start when added after the context started, a
 * removal touches no other route, a caller of a flow's {@code direct:} endpoint waits through a swap and is
 * answered by the new version, and a subscription route whose Redis is down is retried until it comes back.
 */
class FlowRoutesTest {
    @RegisterExtension
    static final TestRedis REDIS = TestRedis.perClass();
    private NodeAssembly node;

    @BeforeEach
    void startNode() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        node = NodeAssembly.create(PipelineConfig.resolve(Map.of(), Map.of(
                "TTV_REDIS_URL", REDIS.url(), "TTV_HTTP_PORT", Integer.toString(port), "TTV_HTTP_HOST", "127.0.0.1",
                "TTV_GCS_ENDPOINT", "http://127.0.0.1:1")), "test", "io.ttv.core test");
        node.camel().start();
    }

    @AfterEach
    void stopNode() {
        node.close();
    }

    @Test
    void aFlowAddedToTheRunningContextRunsAndItsRemovalLeavesTheOthersRunning() throws Exception {
        AtomicInteger ticks = new AtomicInteger();
        TestFlow ticking = new TestFlow("ticking", b -> b.from("timer:ticking?period=10").routeId("ticking-timer")
                .process(e -> ticks.incrementAndGet()));
        TestFlow echo = new TestFlow("echo", b -> b.from("direct:echo").routeId("echo-v1").setBody(b.constant("v1")));
        node.flows().add(ticking, "ticking 1", node.node());
        node.flows().add(echo, "echo 1", node.node());
        await("the late flow's timer runs", () -> ticks.get() >= 3);
        assertEquals("echo 1", node.flows().originOf("echo-v1"));
        assertEquals(Map.of("ticking", "ticking 1", "echo", "echo 1"), node.flows().flows());

        Route timer = node.camel().getRoute("ticking-timer");
        node.flows().remove(echo);
        assertNull(node.camel().getRoute("echo-v1"));
        assertEquals(ServiceStatus.Started, node.camel().getRouteController().getRouteStatus("ticking-timer"));
        assertTrue(timer == node.camel().getRoute("ticking-timer"), "the other flow's route was never re-created");
        int before = ticks.get();
        await("the other flow goes on", () -> ticks.get() > before + 3);
    }

    @Test
    void aCallerWaitsWhileAFlowIsReplacedAndTheNewVersionAnswersIt() throws Exception {
        TestFlow v1 = new TestFlow("echo", b -> b.from("direct:echo").routeId("echo").setBody(b.constant("v1")));
        TestFlow v2 = new TestFlow("echo", b -> b.from("direct:echo").routeId("echo").setBody(b.constant("v2")));
        node.flows().add(v1, "echo 1", node.node());
        ProducerTemplate caller = node.camel().createProducerTemplate();
        assertEquals("v1", caller.requestBody("direct:echo", "", String.class));

        node.flows().remove(v1);
        CompletableFuture<String> waiting = CompletableFuture.supplyAsync(
                () -> caller.requestBody("direct:echo", "", String.class));
        assertFalse(waiting.isDone(), "no consumer: the call waits instead of failing");
        node.flows().add(v2, "echo 2", node.node());
        assertEquals("v2", waiting.get(10, TimeUnit.SECONDS));
    }

    @Test
    void workInProgressFinishesThroughTheFlowsOwnRoutesWhileItIsRemoved() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        TestFlow flow = new TestFlow("two-step", b -> {
            b.from("direct:outer").routeId("outer")
                    .process(e -> {
                        inside.countDown();
                        assertTrue(proceed.await(10, TimeUnit.SECONDS));
                    })
                    .to("direct:inner");
            b.from("direct:inner").routeId("inner").setBody(b.constant("done"));
        });
        node.flows().add(flow, "two-step 1", node.node());
        ProducerTemplate caller = node.camel().createProducerTemplate();
        CompletableFuture<String> inFlight = CompletableFuture.supplyAsync(
                () -> caller.requestBody("direct:outer", "", String.class));
        assertTrue(inside.await(10, TimeUnit.SECONDS));
        CompletableFuture<Void> removal = CompletableFuture.runAsync(() -> node.flows().remove(flow));
        await("the entry route takes no more work", () -> ((ServiceSupport) node.camel().getRoute("outer")
                .getConsumer()).isSuspended());
        assertFalse(removal.isDone(), "the removal waits for the exchange in flight");
        proceed.countDown();
        assertEquals("done", inFlight.get(10, TimeUnit.SECONDS), "the flow's inner route still served it");
        removal.get(10, TimeUnit.SECONDS);
        assertNull(node.camel().getRoute("inner"));
    }

    @Test
    void aDrainableBuilderFinishesItsWorkBeforeItsRoutesGo() throws Exception {
        List<String> events = new ArrayList<>();
        class Draining extends RouteBuilder implements Drainable {
            @Override
            public void configure() {
                from("direct:draining").routeId("draining").process(e -> events.add("exchange"));
            }

            @Override
            public void drain() {
                events.add("drain " + node.camel().getRouteController().getRouteStatus("draining"));
            }

            @Override
            public void removed() {
                events.add("removed " + (node.camel().getRoute("draining") == null));
            }
        }
        Flow flow = new Flow() {
            @Override
            public String name() {
                return "draining";
            }

            @Override
            public boolean runsOn(Role role) {
                return true;
            }

            @Override
            public List<RoutesBuilder> routes(NodeContext ctx) {
                return List.of(new Draining());
            }
        };
        node.flows().add(flow, "draining 1", node.node());
        node.flows().remove(flow);
        assertEquals(List.of("drain Started", "removed true"), events);
    }

    @Test
    void aSubscriptionAddedWhileRedisIsDownStartsOnceRedisIsBack() throws Exception {
        TestFlow subscribing = new TestFlow("subscribing", b -> b.from("spring-redis://{{redis.host}}:{{redis.port}}"
                        + "?command=SUBSCRIBE&channels=test-channel&connectionFactory=#redisConnectionFactory"
                        + "&serializer=#redisStringSerializer")
                .routeId("intake-job-events").log("${body}"));
        REDIS.stop();
        try {
            node.flows().add(subscribing, "subscribing 1", node.node());
            assertEquals(Map.of("subscribing", "subscribing 1"), node.flows().flows(), "added, not refused");
        } finally {
            REDIS.restart();
        }
        await("the supervised subscription started", () -> node.camel().getRouteController()
                .getRouteStatus("intake-job-events") == ServiceStatus.Started);
    }

    @Test
    void theFlowsOfTheRoleAreMissingUntilTheyComeAndWhenAwayLongerThanASwap() throws Exception {
        assertEquals(List.of("admin", "callbacks", "intake", "processing", "retention"),
                node.flows().missing(Duration.ofSeconds(15)), "a node of role all, before any flow came");
        TestFlow intake = new TestFlow("intake", b -> b.from("direct:intake-test").routeId("intake-test").log("x"));
        node.flows().add(intake, "intake 1", node.node());
        assertFalse(node.flows().missing(Duration.ofSeconds(15)).contains("intake"));
        node.flows().remove(intake);
        assertFalse(node.flows().missing(Duration.ofSeconds(15)).contains("intake"), "away for a swap: still ready");
        await("away longer than the grace", () -> node.flows().missing(Duration.ofMillis(50)).contains("intake"));
    }

    @Test
    void aFlowOfAnotherRoleIsNotAdded() throws Exception {
        TestFlow workersOnly = new TestFlow("w", b -> b.from("direct:w").routeId("w").log("w")) {
            @Override
            public boolean runsOn(Role role) {
                return role == Role.WORKER;
            }
        };
        node.flows().add(workersOnly, "w 1", node.node());
        assertNull(node.camel().getRoute("w"), "the node runs role all: a worker-only flow is a worker's");
        assertEquals(Map.of(), node.flows().flows());
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting: " + what);
            TimeUnit.MILLISECONDS.sleep(10);
        }
    }

    /** A flow of one route, configured by {@code routes}. */
    private static class TestFlow implements Flow {
        private final String name;
        private final java.util.function.Consumer<RouteBuilder> routes;

        TestFlow(String name, java.util.function.Consumer<RouteBuilder> routes) {
            this.name = name;
            this.routes = routes;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public boolean runsOn(Role role) {
            return true;
        }

        @Override
        public List<RoutesBuilder> routes(NodeContext node) {
            return List.of(new RouteBuilder() {
                @Override
                public void configure() {
                    routes.accept(this);
                }
            });
        }
    }
}
