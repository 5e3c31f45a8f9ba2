package io.ttv.pipeline.core.ops;

import io.ttv.pipeline.ops.OperationException;
import io.ttv.pipeline.ops.PipelineOperations;

import io.ttv.pipeline.core.redis.CallbackDeadLetters;
import io.ttv.pipeline.core.callback.CallbackOutbox;
import io.ttv.pipeline.core.domain.JobStatus;
import io.ttv.pipeline.core.health.ComponentChecks;
import io.ttv.pipeline.core.redis.AdminStore;
import io.ttv.pipeline.core.redis.CancelResult;
import io.ttv.pipeline.core.redis.JobStore;
import io.ttv.pipeline.core.redis.TransitionResult;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.api.management.ManagedCamelContext;
import org.apache.camel.api.management.mbean.ManagedRouteMBean;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.spi.RouteController;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.Map;
import java.util.regex.Pattern;

/** {@link PipelineOperations} of one running node: its job store, Camel context and callback outbox. */
public class NodeOperations implements PipelineOperations {
    /** Ids of jobs, dead letters and routes as the console accepts them (no glob or key syntax reaches Redis). */
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,200}");

    private final String role;
    private final String workerId;
    private final JobStore jobs;
    private final AdminStore admin;
    private final CallbackDeadLetters deadLetters;
    private final CallbackOutbox outbox;
    private final CamelContext camel;
    private final Function<String, String> routeOrigin;

    /**
     * @param workerId this node's worker id, null when it runs no workers
     * @param outbox      the callback outbox of this node's delivery route
     * @param routeOrigin route id → the bundle that contributes the route ({@code symbolic-name version})
     */
    public NodeOperations(String role, String workerId, JobStore jobs, AdminStore admin,
                          CallbackDeadLetters deadLetters, CallbackOutbox outbox, CamelContext camel,
                          Function<String, String> routeOrigin) {
        this.routeOrigin = routeOrigin;
        this.role = role;
        this.workerId = workerId;
        this.jobs = jobs;
        this.admin = admin;
        this.deadLetters = deadLetters;
        this.outbox = outbox;
        this.camel = camel;
    }

    @Override
    public String role() {
        return role;
    }

    @Override
    public String workerId() {
        return workerId;
    }

    @Override
    public List<Map<String, String>> jobs(String status, int limit) {
        if (limit < 1 || limit > 1000) {
            throw new OperationException("--limit must be between 1 and 1000");
        }
        JobStatus s = null;
        if (status != null && !status.isBlank()) {
            try {
                s = JobStatus.fromWire(status.trim());
            } catch (IllegalArgumentException e) {
                throw new OperationException("Unknown status '" + status + "': one of queued, started, progress, "
                        + "finished, failed, canceled");
            }
        }
        return jobs.page(null, limit, s).jobs();
    }

    @Override
    public Map<String, String> job(String id) {
        Map<String, String> job = jobs.get(checkedId(id, "job"));
        if (job == null) {
            throw noJob(id);
        }
        return job;
    }

    @Override
    public List<String> jobLogs(String id, int tail) {
        return jobs.logs(checkedId(id, "job"), Math.max(0, Math.min(tail, JobStore.MAX_LOG_LINES)));
    }

    @Override
    public String cancelJob(String id) {
        CancelResult r = jobs.cancel(checkedId(id, "job"));
        return switch (r.outcome()) {
            case MISSING -> throw noJob(id);
            case TERMINAL -> throw new OperationException("Job " + id + " has already ended: " + r.status().wire());
            case DEQUEUED -> {
                jobs.log(id, "canceled (console)");
                yield "Job " + id + " canceled (it was queued)";
            }
            case SIGNALLED -> {
                jobs.log(id, "canceled (console)");
                yield "Job " + id + " canceled (its worker was told to stop)";
            }
        };
    }

    @Override
    public String retryJob(String id) {
        TransitionResult r = admin.retryFailed(checkedId(id, "job"));
        return switch (r.outcome()) {
            case MISSING -> throw noJob(id);
            case REFUSED -> throw new OperationException("Job " + id + " is " + r.status().wire()
                    + ": only a failed job can be retried");
            case APPLIED -> {
                jobs.log(id, "retried by an operator (console): queued again with a fresh set of attempts");
                yield "Job " + id + " queued again (attempts reset to 0)";
            }
        };
    }

    @Override
    public int purgeJobs(int days) {
        if (days < 0) {
            throw new OperationException("--older-than-days must be 0 or more");
        }
        return admin.purgeTerminal(Instant.now().minus(Duration.ofDays(days)));
    }

    @Override
    public QueueStats queue() {
        AdminStore.QueueSnapshot q = admin.queue();
        long waited = -1;
        if (q.oldestSince() != null) {
            try {
                waited = Math.max(0, Duration.between(Instant.parse(q.oldestSince()), Instant.now()).toMillis());
            } catch (DateTimeParseException e) {
                waited = -1;
            }
        }
        return new QueueStats(q.depth(), q.delayed(), q.dueDelayed(), q.oldestJob(), waited, q.processing());
    }

    @Override
    public List<WorkerInfo> workers() {
        long now = System.currentTimeMillis();
        List<WorkerInfo> out = new ArrayList<>();
        for (AdminStore.WorkerEntry w : admin.workers()) {
            out.add(new WorkerInfo(w.id(), Math.max(0, now - w.lastHeartbeatMillis()), w.heartbeatKey(), w.active(),
                    w.jobs(), w.id().equals(workerId)));
        }
        return out;
    }

    @Override
    public List<DeadLetter> deadLetters(int limit) {
        if (limit < 1 || limit > MAX_DEAD_LETTERS) {
            throw new OperationException(OperationException.Reason.INVALID,
                    "limit must be between 1 and " + MAX_DEAD_LETTERS);
        }
        return deadLetters.list(limit).stream().map(NodeOperations::deadLetter).toList();
    }

    private static DeadLetter deadLetter(Map<String, String> e) {
        return new DeadLetter(e.get("id"), e.get("job_id"), e.get("event"), e.get("target"), e.get("error"),
                e.get("failed_at"), e.getOrDefault("attempts", ""));
    }

    @Override
    public String replayCallback(String id, String via) {
        Map<String, String> e = deadLetters.get(checkedId(id, "dead letter"));
        if (e == null) {
            throw new OperationException(OperationException.Reason.NOT_FOUND,
                    "No dead-lettered callback " + id + " (ttv:callbacks lists them)");
        }
        replay(e, via);
        return "Callback " + id + " (" + e.get("event") + " of job " + e.get("job_id") + ") sent again";
    }

    @Override
    public int replayAllCallbacks(String via) {
        int sent = 0;
        for (Map<String, String> e : deadLetters.list()) {
            if (replay(e, via)) {
                sent++;
            }
        }
        return sent;
    }

    private boolean replay(Map<String, String> e, String via) {
        if (!deadLetters.remove(e.get("id"))) {
            return false; // replayed meanwhile by someone else
        }
        jobs.log(e.get("job_id"), "callback " + e.get("event") + " replayed by an operator (" + via + ")");
        outbox.replay(e.get("job_id"), e.get("event"));
        return true;
    }

    @Override
    public List<RouteInfo> routes() {
        ManagedCamelContext managed = camel.getCamelContextExtension().getContextPlugin(ManagedCamelContext.class);
        RouteController controller = camel.getRouteController();
        List<RouteInfo> out = new ArrayList<>();
        List<Route> routes = new ArrayList<>(camel.getRoutes());
        routes.sort(Comparator.comparing(Route::getRouteId));
        for (Route r : routes) {
            String id = r.getRouteId();
            ServiceStatus status = controller.getRouteStatus(id);
            String state = status == null ? "Unknown" : status.name();
            ManagedRouteMBean m = managed == null ? null : managed.getManagedRoute(id);
            String bundle = routeOrigin.apply(id);
            if (m != null) {
                out.add(new RouteInfo(id, state, m.getExchangesTotal(), m.getExchangesFailed(),
                        m.getExchangesInflight(), m.getMeanProcessingTime(), r.getUptime(),
                        r.getEndpoint().getEndpointUri(), bundle));
            } else {
                out.add(new RouteInfo(id, state, -1, -1, -1, -1, r.getUptime(), r.getEndpoint().getEndpointUri(),
                        bundle));
            }
        }
        return out;
    }

    @Override
    public String controlRoute(String id, RouteAction action) {
        if (id == null || camel.getRoute(id) == null) {
            throw new OperationException("No route " + id + " on this node (ttv:routes lists them)");
        }
        RouteController controller = camel.getRouteController();
        try {
            switch (action) {
                case STOP -> controller.stopRoute(id);
                case START -> controller.startRoute(id);
                case SUSPEND -> controller.suspendRoute(id);
                case RESUME -> controller.resumeRoute(id);
            }
        } catch (Exception e) {
            throw new OperationException("Could not " + action.name().toLowerCase(Locale.ROOT) + " route " + id + ": "
                    + e.getMessage());
        }
        ServiceStatus status = controller.getRouteStatus(id);
        return "Route " + id + " is " + (status == null ? "unknown" : status.name());
    }

    @Override
    public Health health() {
        List<Check> checks = new ArrayList<>();
        boolean ready = true;
        HealthCheckRegistry registry = HealthCheckRegistry.get(camel);
        List<HealthCheck> readiness = registry == null ? List.of()
                : registry.stream().filter(HealthCheck::isEnabled).filter(HealthCheck::isReadiness).toList();
        for (HealthCheck check : readiness) {
            // Called one by one: a check that throws (e.g. GCS unreachable) is DOWN with its error, not a failed command.
            String state;
            String message;
            boolean gates = true;
            try {
                HealthCheck.Result r = check.callReadiness();
                state = r.getState().name();
                message = r.getMessage().orElse(r.getError().map(Throwable::getMessage).orElse(""));
                gates = ComponentChecks.gatesReadiness(r);
            } catch (RuntimeException e) {
                state = HealthCheck.State.DOWN.name();
                message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            }
            ready &= !gates || state.equals(HealthCheck.State.UP.name());
            checks.add(new Check(check.getId(), state, message));
        }
        checks.sort(Comparator.comparing(Check::id));
        return new Health(ready, checks);
    }

    private static String checkedId(String id, String what) {
        if (id == null || !SAFE_ID.matcher(id).matches()) {
            throw new OperationException(OperationException.Reason.INVALID, "Invalid " + what + " id '" + id + "'");
        }
        return id;
    }

    private static OperationException noJob(String id) {
        return new OperationException("No job " + id);
    }
}
