package io.ttv.pipeline.core.app;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Live configuration: keeps the current properties of each {@code ttv.*} PID and, when one changes, runs one restart
 * for all the changes that arrive within {@link #QUIET} of each other.
 */
final class Reconfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(Reconfiguration.class);
    /** How long configuration changes are collected before the one restart that applies them all. */
    static final Duration QUIET = Duration.ofSeconds(1);

    private final Map<String, Map<String, Object>> pids;
    private final Runnable restart;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ttv-reconfigure");
        t.setDaemon(true);
        return t;
    });
    private ScheduledFuture<?> pending;

    Reconfiguration(Map<String, Map<String, Object>> pids, Runnable restart) {
        this.pids = new HashMap<>(pids);
        this.restart = restart;
    }

    /** The properties of every PID as they are now. */
    synchronized Map<String, Map<String, Object>> pids() {
        return new HashMap<>(pids);
    }

    /** A PID's new properties; schedules the restart if they differ from the current ones. */
    synchronized void changed(String pid, Map<String, ?> properties) {
        Map<String, Object> next = settings(properties);
        if (timer.isShutdown() || next.equals(settings(pids.getOrDefault(pid, Map.of())))) {
            return;
        }
        pids.put(pid, next);
        LOG.info("Configuration {} changed: the node restarts gracefully to apply it", pid);
        if (pending != null) {
            pending.cancel(false);
        }
        pending = timer.schedule(restart, QUIET.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** No restart after this. */
    void close() {
        timer.shutdownNow();
    }

    /** The properties without ConfigAdmin's own bookkeeping keys, which are not settings. */
    private static Map<String, Object> settings(Map<String, ?> properties) {
        Map<String, Object> out = new HashMap<>();
        properties.forEach((k, v) -> {
            if (!k.startsWith("service.") && !k.startsWith("felix.") && !k.equals("component.name")) {
                out.put(k, v);
            }
        });
        return out;
    }
}
