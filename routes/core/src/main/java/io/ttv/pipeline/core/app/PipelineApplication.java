package io.ttv.pipeline.core.app;

import io.ttv.pipeline.core.config.ConfigException;
import io.ttv.pipeline.core.config.PipelineConfig;
import io.ttv.pipeline.core.ops.OperationsRegistration;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Dictionary;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;

/**
 * The lifecycle of one node: Blueprint creates it with the ConfigAdmin PIDs and calls {@link #start()} and
 * {@link #close()}. Start builds the node ({@link NodeAssembly}), follows the flow and generator services
 * ({@link Whiteboard}), starts the CamelContext and publishes the console's operations; stop undoes it in reverse,
 * the flows first, gracefully.
 */
public class PipelineApplication {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineApplication.class);

    private final Map<String, String> env;
    private final BundleContext bundles;
    private final Reconfiguration reconfiguration;
    private NodeAssembly assembly;
    private Whiteboard whiteboard;
    private OperationsRegistration operations;

    /**
     * @param pids PID id → its ConfigAdmin properties (missing PIDs mean all defaults)
     * @param role    the role fixed by the installed feature ({@code api}, {@code worker}); empty: {@code TTV_ROLE} or
     *                the {@code ttv.worker} PID decide. A fixed role wins over both.
     * @param bundles the Blueprint bundle's context: the flows and generators are followed, and the console's
     *                operations published, through it (the core bundle itself may not be active yet when a
     *                restarted Karaf starts the node)
     */
    public PipelineApplication(Map<String, ?> pids, String role, BundleContext bundles) {
        this(toMaps(pids), role == null || role.isBlank() ? System.getenv() : withRole(System.getenv(), role),
                bundles);
    }

    PipelineApplication(Map<String, Map<String, Object>> pids, Map<String, String> env, BundleContext bundles) {
        this.env = env;
        this.bundles = bundles;
        this.reconfiguration = new Reconfiguration(pids, this::restart);
    }

    public synchronized void start() throws Exception {
        PipelineConfig config;
        try {
            config = PipelineConfig.resolve(reconfiguration.pids(), env);
        } catch (ConfigException e) {
            LOG.error(e.getMessage());
            throw e;
        }
        Bundle bundle = FrameworkUtil.getBundle(PipelineApplication.class);
        String version = bundle == null ? "dev" : bundle.getVersion().toString();
        LOG.info("Starting TTV Pipeline {} (role {}, {} port {}, Redis {})", version,
                config.role().name().toLowerCase(), config.https() ? "HTTPS" : "HTTP", config.httpPort(),
                config.redisUrl().redacted());
        try {
            assembly = NodeAssembly.create(config, version, Whiteboard.origin(bundle));
        } catch (Exception e) {
            throw fail(e);
        }
        if (bundles != null) {
            whiteboard = Whiteboard.open(bundles, assembly);
        }
        try {
            assembly.camel().start();
        } catch (Exception e) {
            stop();
            throw fail(e);
        }
        operations = OperationsRegistration.register(assembly.node().operations(), bundles);
        LOG.info("TTV Pipeline started: {}://{}:{}/ (worker {})", config.https() ? "https" : "http",
                config.httpHost(), config.httpPort(),
                config.role().runsWorkers() ? assembly.node().workerId() : "off");
    }

    /**
     * A {@code ttv.*} PID changed (an edited {@code etc/<pid>.cfg}, or {@code config:edit … config:update}). Changes
     * arriving within a second are applied together by one graceful restart of the node: claims stop, running jobs
     * finish or go back to the queue, and the node starts again with the new values.
     */
    public void reconfigure(String pid, Map<String, ?> properties) {
        reconfiguration.changed(pid, properties);
    }

    private synchronized void restart() {
        stop();
        try {
            start();
        } catch (Exception e) {
            LOG.error("TTV Pipeline did not start with the new configuration: {}", e.getMessage());
        }
    }

    /** Blueprint's destroy: stops the node for good (no restart from a late configuration change). */
    public synchronized void close() {
        reconfiguration.close();
        stop();
    }

    public synchronized void stop() {
        if (operations != null) {
            operations.unregister();
            operations = null;
        }
        if (assembly == null) {
            return;
        }
        LOG.info("Stopping TTV Pipeline: the flows stop first, gracefully");
        assembly.flows().removeAll();
        if (whiteboard != null) {
            whiteboard.close();
            whiteboard = null;
        }
        assembly.close();
        assembly = null;
    }

    private static RuntimeException fail(Exception e) {
        LOG.error("TTV Pipeline failed to start: {}", e.getMessage());
        return e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
    }

    private static Map<String, String> withRole(Map<String, String> env, String role) {
        Map<String, String> out = new HashMap<>(env);
        String before = out.put("TTV_ROLE", role);
        if (before != null && !before.equals(role)) {
            LOG.warn("TTV_ROLE={} ignored: the installed feature runs role {}", before, role);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> toMaps(Map<String, ?> pids) {
        Map<String, Map<String, Object>> out = new HashMap<>();
        pids.forEach((pid, value) -> {
            Map<String, Object> m = new HashMap<>();
            if (value instanceof Dictionary<?, ?> d) {
                for (Enumeration<?> keys = d.keys(); keys.hasMoreElements(); ) {
                    Object k = keys.nextElement();
                    m.put(k.toString(), d.get(k));
                }
            } else if (value instanceof Map<?, ?> map) {
                map.forEach((k, v) -> m.put(k.toString(), v));
            }
            out.put(pid, m);
        });
        return out;
    }
}
