package io.ttv.pipeline.core.health;

import io.ttv.pipeline.core.gcs.ArtifactStore;
import io.ttv.pipeline.core.redis.JobStore;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Readiness checks of the pipeline's dependencies, registered in Camel's health-check registry. */
public final class ComponentChecks {
    public static final String GROUP = "ttv";

    private ComponentChecks() {
    }

    /** Redis answers PING. */
    public static AbstractHealthCheck redis(JobStore jobs) {
        return new ReadinessCheck("redis") {
            @Override
            protected void probe(HealthCheckResultBuilder builder) {
                if (jobs.ping()) {
                    builder.up();
                } else {
                    builder.down();
                }
            }
        };
    }

    /** How long a GCS probe's outcome is reused: a probe is a remote call, readiness may be polled every second. */
    public static final Duration GCS_CACHE = Duration.ofSeconds(5);

    /** The artifact bucket can be read; the outcome is cached for {@link #GCS_CACHE}. */
    public static AbstractHealthCheck gcs(ArtifactStore artifacts) {
        return new ReadinessCheck("gcs") {
            private long probedAt = Long.MIN_VALUE;
            private String failure;

            @Override
            protected void probe(HealthCheckResultBuilder builder) {
                String outcome;
                synchronized (this) {
                    long now = System.nanoTime();
                    if (probedAt == Long.MIN_VALUE || now - probedAt >= GCS_CACHE.toNanos()) {
                        try {
                            artifacts.probe();
                            failure = null;
                        } catch (RuntimeException e) {
                            failure = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                        }
                        probedAt = System.nanoTime();
                    }
                    outcome = failure;
                }
                if (outcome == null) {
                    builder.up();
                } else {
                    builder.message(outcome).down();
                }
            }
        };
    }

    /** The detail of a check result that says whether the result counts for readiness (absent: it counts). */
    public static final String REQUIRED = "required";

    /**
     * At least one worker in the fleet has a live heartbeat. Required for readiness only on a node that runs workers
     * ({@code required}): a node of role {@code api} serves the API while the worker pool is scaled to zero (its jobs
     * wait in the queue), so there the check reports the fleet's state without making the node unready.
     */
    public static AbstractHealthCheck workers(JobStore jobs, Duration heartbeatTtl, boolean required) {
        return new ReadinessCheck("workers") {
            @Override
            protected void probe(HealthCheckResultBuilder builder) {
                long live = jobs.liveWorkers(heartbeatTtl);
                builder.detail("live_workers", live);
                builder.detail(REQUIRED, required);
                if (live > 0) {
                    builder.up();
                } else if (required) {
                    builder.message("no live worker heartbeat").down();
                } else {
                    builder.message("no live worker heartbeat (not required: this node runs no workers)").down();
                }
            }
        };
    }

    /** Whether a readiness result decides the node's readiness: yes, unless its check marked it not required. */
    public static boolean gatesReadiness(HealthCheck.Result result) {
        return !Boolean.FALSE.equals(result.getDetails().get(REQUIRED));
    }

    /** How long a flow may be away (its bundle being replaced) before the node is not ready. */
    public static final Duration FLOW_SWAP_GRACE = Duration.ofSeconds(15);

    /**
     * Every flow of the node's role is running: not ready at start-up until their bundles have come, nor when one
     * stays away longer than {@link #FLOW_SWAP_GRACE} (its requests would wait and fail). Not one of the
     * {@code components} of {@code /readyz}: when down it shows in {@code details}.
     *
     * @param missingAfter the flows of the role missing longer than the given time ({@code FlowRoutes#missing})
     */
    public static AbstractHealthCheck flows(Function<Duration, List<String>> missingAfter) {
        return new AbstractHealthCheck("flows") {
            @Override
            protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
                List<String> missing = missingAfter.apply(FLOW_SWAP_GRACE);
                if (missing.isEmpty()) {
                    builder.up();
                } else {
                    builder.message("waiting for the flows " + missing).down();
                }
            }

            @Override
            public boolean isLiveness() {
                return false;
            }
        };
    }

    /** A check whose failure (an exception included: Redis down) is a DOWN result, never an error of /readyz. */
    private abstract static class ReadinessCheck extends AbstractHealthCheck {
        ReadinessCheck(String id) {
            super(GROUP, id);
        }

        protected abstract void probe(HealthCheckResultBuilder builder);

        @Override
        protected final void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
            try {
                probe(builder);
            } catch (RuntimeException e) {
                builder.message(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()).down();
            }
        }

        @Override
        public boolean isLiveness() {
            return false;
        }
    }
}
