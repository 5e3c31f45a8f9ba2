package io.ttv.pipeline.processing;

import io.ttv.pipeline.core.flow.RedisOutageConfiguration;
import io.ttv.pipeline.core.redis.AdminStore;
import io.ttv.pipeline.core.redis.JobStore;
import io.ttv.pipeline.core.redis.RedisKeys;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;

/**
 * Retention of terminal jobs (docs/architecture.md): every {@link #PERIOD}, the one node of the fleet holding the
 * {@link RedisKeys#retentionLock} lease deletes the finished, failed and canceled jobs that ended more than
 * {@code TTV_JOB_RETENTION} ago, with the console's purge ({@link AdminStore#purgeTerminal}): hash, logs, index
 * entry, callback dead letters. At most {@link #MAX_PER_PASS} per pass, so a large backlog is worked off over
 * several passes in short steps. Runs on every node, API-only ones included.
 */
public class RetentionRoutes extends RouteBuilder {
    private static final Logger LOG = LoggerFactory.getLogger(RetentionRoutes.class);
    static final Duration PERIOD = Duration.ofMinutes(10);
    static final Duration FIRST_DELAY = Duration.ofMinutes(1);
    static final int MAX_PER_PASS = 10_000;

    private final JobStore jobs;
    private final AdminStore admin;
    private final String nodeId;
    private final Duration retention;

    /** @param retention how long a terminal job is kept; zero keeps them forever (no sweep) */
    public RetentionRoutes(JobStore jobs, AdminStore admin, String nodeId, Duration retention) {
        this.jobs = jobs;
        this.admin = admin;
        this.nodeId = nodeId;
        this.retention = retention;
    }

    /** One pass; returns how many jobs it deleted (0 on a node that does not hold the lease). */
    public int sweep() {
        if (retention.isZero() || !jobs.lease(jobs.keys().retentionLock(), nodeId, PERIOD.multipliedBy(3))) {
            return 0;
        }
        int purged = admin.purgeTerminal(Instant.now().minus(retention), MAX_PER_PASS);
        if (purged > 0) {
            LOG.info("Retention: deleted {} terminal job(s) that ended more than {} ago{}", purged, retention,
                    purged == MAX_PER_PASS ? " (more are left for the next pass)" : "");
        }
        return purged;
    }

    @Override
    public void configure() {
        if (retention.isZero()) {
            return;
        }
        from("timer:queue-retention?delay=" + FIRST_DELAY.toMillis() + "&period=" + PERIOD.toMillis())
                .routeId("queue-retention")
                .routeConfigurationId(RedisOutageConfiguration.REDIS_OUTAGE)
                .process(e -> sweep());
    }
}
