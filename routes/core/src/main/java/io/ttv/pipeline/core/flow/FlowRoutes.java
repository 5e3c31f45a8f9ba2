package io.ttv.pipeline.core.flow;

import io.ttv.pipeline.core.config.PipelineConfig.Role;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.ServiceStatus;
import org.apache.camel.Suspendable;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.ChoiceDefinition;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SendDefinition;
import org.apache.camel.support.service.ServiceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The flows running on one node's CamelContext: adds a flow's routes when its service arrives and removes them when
 * it goes, touching no other route. Removal is graceful and loses no request:
 * <ol>
 *   <li>the consumers of the flow's entry routes are suspended: its timers fire no more, and new calls to its
 *       {@code direct:} endpoints wait for the next version. Routes that the flow calls itself keep their consumers,
 *       so the work in progress can finish;</li>
 *   <li>{@link Drainable} builders finish or hand back their work (running jobs, long-polls);</li>
 *   <li>the exchanges still in the flow's routes end (at most {@link #INFLIGHT_TIMEOUT});</li>
 *   <li>the routes are stopped and removed, and {@link Drainable#removed()} runs.</li>
 * </ol>
 */
public final class FlowRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(FlowRoutes.class);
    /** How long a removal waits for exchanges already inside the flow's routes. */
    static final Duration INFLIGHT_TIMEOUT = Duration.ofSeconds(10);

    private final CamelContext camel;
    private final Role role;
    /** Read without the lock by the ops endpoints and the console, which must not wait for a flow's removal. */
    private final Map<Flow, Running> running = new ConcurrentHashMap<>();
    /** Expected flow name → since when it is absent (nano time); {@link #NEVER} until it first comes. */
    private final Map<String, Long> absentSince = new ConcurrentHashMap<>();
    private static final long NEVER = Long.MIN_VALUE;

    /** @param entries the routes that take work from outside the flow (see {@link #entries}) */
    private record Running(String origin, List<RoutesBuilder> builders, List<String> routeIds, List<String> entries) {
    }

    public FlowRoutes(CamelContext camel, Role role) {
        this.camel = camel;
        this.role = role;
        FlowNames.expected(role).forEach(name -> absentSince.put(name, NEVER));
    }

    /**
     * Adds the routes of {@code flow} if this node's role runs it.
     *
     * @param origin the bundle that contributes it ({@code symbolic-name version}), shown by {@code ttv:routes}
     */
    public synchronized void add(Flow flow, String origin, NodeContext node) throws Exception {
        if (!flow.runsOn(role)) {
            LOG.info("Flow {} ({}) does not run on a node of role {}", flow.name(), origin, roleName());
            return;
        }
        List<RoutesBuilder> builders = flow.routes(node);
        List<String> ids = new ArrayList<>();
        try {
            for (RoutesBuilder builder : builders) {
                camel.addRoutes(builder);
                ids.addAll(routeIds(builder));
            }
        } catch (Exception e) {
            removeRoutes(ids);
            throw e;
        }
        if (camel.isStarted()) {
            start(ids);
        }
        running.put(flow, new Running(origin, builders, ids, entries(builders)));
        absentSince.remove(flow.name());
        LOG.info("Flow {} ({}) added: {} routes", flow.name(), origin, ids.size());
    }

    /** Removes the routes of {@code flow} gracefully (see the class comment); nothing if they are not here. */
    public synchronized void remove(Flow flow) {
        Running r = running.get(flow);
        if (r == null) {
            return;
        }
        LOG.info("Removing flow {} ({}): its new requests wait for the next version", flow.name(), r.origin());
        for (String id : r.entries()) {
            Route route = camel.getRoute(id);
            // Suspended, not stopped: stopping a consumer stops its route's processors under the exchanges in flight.
            // A suspended direct consumer leaves its endpoint (callers wait), a suspended timer does not fire; other
            // consumers run on until their route is stopped below, gracefully.
            if (route != null && route.getConsumer() instanceof Suspendable) {
                ServiceHelper.suspendService(route.getConsumer());
            }
        }
        try {
            for (RoutesBuilder b : r.builders()) {
                if (b instanceof Drainable d) {
                    d.drain();
                }
            }
            awaitNoInflight(r.routeIds());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        removeRoutes(r.routeIds());
        for (RoutesBuilder b : r.builders()) {
            if (b instanceof Drainable d) {
                d.removed();
            }
        }
        running.remove(flow);
        if (FlowNames.expected(role).contains(flow.name())) {
            absentSince.put(flow.name(), System.nanoTime());
        }
        LOG.info("Flow {} ({}) removed", flow.name(), r.origin());
    }

    /** Removes every flow, the callbacks flow last (the others may still queue events for it while they drain). */
    public synchronized void removeAll() {
        List<Flow> flows = new ArrayList<>(running.keySet());
        flows.sort(Comparator.comparing(f -> FlowNames.CALLBACKS.equals(f.name())));
        flows.forEach(this::remove);
    }

    /** Flow name → the bundle that contributes it, for the flows running now. */
    public Map<String, String> flows() {
        Map<String, String> out = new TreeMap<>();
        running.forEach((flow, r) -> out.put(flow.name(), r.origin()));
        return out;
    }

    /**
     * The flows this node's role needs that have not come yet, or have been away for longer than {@code grace}: a
     * flow being replaced is away for about a second, a flow whose bundle was stopped for good stays away.
     */
    public List<String> missing(Duration grace) {
        long now = System.nanoTime();
        return absentSince.entrySet().stream()
                .filter(e -> e.getValue() == NEVER || now - e.getValue() > grace.toNanos())
                .map(Map.Entry::getKey).sorted().toList();
    }

    /** The bundle that contributes the route {@code routeId}, or null for a route of the core. */
    public String originOf(String routeId) {
        return running.values().stream().filter(r -> r.routeIds().contains(routeId)).map(Running::origin)
                .findFirst().orElse(null);
    }

    /**
     * Starts the routes of a flow added to a running context: the supervising route controller leaves a route
     * added after the start to be started explicitly. A route that cannot start yet (a Redis subscription while
     * Redis is down) is retried by that controller in the background.
     */
    private void start(List<String> ids) {
        for (String id : ids) {
            if (camel.getRouteController().getRouteStatus(id) == ServiceStatus.Started) {
                continue;
            }
            try {
                camel.getRouteController().startRoute(id);
            } catch (Exception e) {
                LOG.warn("Route {} not started yet, retried in the background: {}", id, e.getMessage());
            }
        }
    }

    private void awaitNoInflight(List<String> ids) throws InterruptedException {
        long deadline = System.nanoTime() + INFLIGHT_TIMEOUT.toNanos();
        while (ids.stream().anyMatch(id -> camel.getInflightRepository().size(id) > 0)) {
            if (System.nanoTime() > deadline) {
                LOG.warn("Exchanges still in flight after {} s; the routes are stopped anyway",
                        INFLIGHT_TIMEOUT.toSeconds());
                return;
            }
            TimeUnit.MILLISECONDS.sleep(5);
        }
    }

    private void removeRoutes(List<String> ids) {
        for (String id : ids) {
            try {
                camel.getRouteController().stopRoute(id);
                camel.removeRoute(id);
            } catch (Exception e) {
                LOG.warn("Route {} not removed cleanly: {}", id, e.getMessage());
            }
        }
    }

    private String roleName() {
        return role.name().toLowerCase();
    }

    /** The routes whose input no route of the same flow sends to: where work enters the flow. */
    private static List<String> entries(List<RoutesBuilder> builders) {
        List<RouteDefinition> routes = builders.stream().filter(RouteBuilder.class::isInstance)
                .flatMap(b -> ((RouteBuilder) b).getRouteCollection().getRoutes().stream()).toList();
        Set<String> called = new HashSet<>();
        routes.forEach(route -> collectTargets(route.getOutputs(), called));
        return routes.stream().filter(route -> !called.contains(route.getInput().getEndpointUri()))
                .map(RouteDefinition::getRouteId).toList();
    }

    private static void collectTargets(List<ProcessorDefinition<?>> outputs, Set<String> into) {
        for (ProcessorDefinition<?> step : outputs) {
            if (step instanceof SendDefinition<?> send && send.getUri() != null) {
                into.add(send.getUri());
            }
            if (step instanceof ChoiceDefinition choice) {
                choice.getWhenClauses().forEach(when -> collectTargets(when.getOutputs(), into));
                if (choice.getOtherwise() != null) {
                    collectTargets(choice.getOtherwise().getOutputs(), into);
                }
            }
            collectTargets(step.getOutputs(), into);
        }
    }

    private static List<String> routeIds(RoutesBuilder builder) {
        if (!(builder instanceof RouteBuilder rb)) {
            return List.of();
        }
        return rb.getRouteCollection().getRoutes().stream().map(RouteDefinition::getRouteId)
                .filter(Objects::nonNull).toList();
    }
}
