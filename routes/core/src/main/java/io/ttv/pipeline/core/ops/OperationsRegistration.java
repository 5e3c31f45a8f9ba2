package io.ttv.pipeline.core.ops;

import io.ttv.pipeline.ops.PipelineOperations;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

import java.util.Dictionary;
import java.util.Hashtable;

/**
 * Publishes a node's {@link PipelineOperations} as an OSGi service for the console bundle, from the node's own
 * start/stop (a Blueprint {@code <service>} could not follow the node's restarts). Outside OSGi (unit tests) it does
 * nothing.
 */
public final class OperationsRegistration {
    private final ServiceRegistration<PipelineOperations> registration;

    private OperationsRegistration(ServiceRegistration<PipelineOperations> registration) {
        this.registration = registration;
    }

    /** Registers {@code ops} with the node's bundle context; null outside OSGi ({@code context} null). */
    public static OperationsRegistration register(PipelineOperations ops, BundleContext context) {
        if (context == null) {
            return null;
        }
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("ttv.role", ops.role());
        if (ops.workerId() != null) {
            props.put("ttv.worker.id", ops.workerId());
        }
        return new OperationsRegistration(context.registerService(PipelineOperations.class, ops, props));
    }

    public void unregister() {
        try {
            registration.unregister();
        } catch (IllegalStateException e) {
            // already gone with the bundle
        }
    }
}
