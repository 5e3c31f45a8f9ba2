package io.ttv.pipeline.health;

import io.ttv.pipeline.storage.ArtifactStore;
import io.ttv.pipeline.store.JobStore;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.time.Duration;
import java.util.Map;

/** Readiness checks of the pipeline's dependencies, registered in Camel's health-check registry. */
public final class ComponentChecks {
    public static final String GROUP = "ttv";

    private ComponentChecks() {
    }

    /** Redis answers PING. */
    public static AbstractHealthCheck redis(JobStore jobs) {
        return new ReadinessCheck("redis") {
            @Override
            protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
                if (jobs.ping()) {
                    builder.up();
                } else {
                    builder.down();
                }
            }
        };
    }

    /** The artifact bucket can be read. */
    public static AbstractHealthCheck gcs(ArtifactStore artifacts) {
        return new ReadinessCheck("gcs") {
            @Override
            protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
                artifacts.probe();
                builder.up();
            }
        };
    }

    /** At least one worker in the fleet has a live heartbeat. */
    public static AbstractHealthCheck workers(JobStore jobs, Duration heartbeatTtl) {
        return new ReadinessCheck("workers") {
            @Override
            protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
                long live = jobs.liveWorkers(heartbeatTtl);
                builder.detail("live_workers", live);
                if (live > 0) {
                    builder.up();
                } else {
                    builder.message("no live worker heartbeat").down();
                }
            }
        };
    }

    private abstract static class ReadinessCheck extends AbstractHealthCheck {
        ReadinessCheck(String id) {
            super(GROUP, id);
        }

        @Override
        public boolean isLiveness() {
            return false;
        }
    }
}
