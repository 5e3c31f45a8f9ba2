package io.ttv.pipeline.core.metrics;

import io.ttv.pipeline.core.redis.JobStore;

import java.time.Duration;
import java.util.Properties;

/**
 * What the fleet gauges read from Redis, fetched at most once per {@link #MAX_AGE} however many gauges ask: queue
 * depth and running jobs in one Lua call (O(live workers)), clients and memory from one {@code INFO}. A failed read
 * gives {@code NaN} values (and is cached too, so a Redis outage costs a scrape one failed attempt, not five).
 */
final class RedisSample {
    static final Duration MAX_AGE = Duration.ofSeconds(1);

    record Values(double queued, double processing, double connectedClients, double usedMemoryBytes) {
        static final Values UNKNOWN = new Values(Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }

    private final JobStore jobs;
    private final Duration heartbeatTtl;
    private Values values = Values.UNKNOWN;
    private long takenAt = Long.MIN_VALUE;

    RedisSample(JobStore jobs, Duration heartbeatTtl) {
        this.jobs = jobs;
        this.heartbeatTtl = heartbeatTtl;
    }

    synchronized Values get() {
        long now = System.nanoTime();
        if (takenAt != Long.MIN_VALUE && now - takenAt < MAX_AGE.toNanos()) {
            return values;
        }
        values = read();
        takenAt = System.nanoTime();
        return values;
    }

    private Values read() {
        double queued = Double.NaN;
        double processing = Double.NaN;
        try {
            JobStore.FleetCounts counts = jobs.fleetCounts(heartbeatTtl);
            queued = counts.queued();
            processing = counts.processing();
        } catch (RuntimeException e) {
            return Values.UNKNOWN; // Redis unreachable: INFO would fail the same way
        }
        try {
            Properties info = jobs.info();
            return new Values(queued, processing, number(info, "connected_clients"), number(info, "used_memory"));
        } catch (RuntimeException e) {
            return new Values(queued, processing, Double.NaN, Double.NaN);
        }
    }

    private static double number(Properties info, String key) {
        String v = info.getProperty(key);
        try {
            return v == null ? Double.NaN : Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
