package io.ttv.pipeline.core.app;

import io.ttv.pipeline.core.flow.Flow;
import io.ttv.pipeline.core.generator.GeneratorProvider;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;
import org.osgi.util.tracker.ServiceTrackerCustomizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Follows the {@link GeneratorProvider} and {@link Flow} services that other bundles publish and hands them to the
 * running node: a flow's routes are added when its service arrives and removed when it goes (a bundle stopped or
 * updated), without touching the rest of the node.
 */
final class Whiteboard implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Whiteboard.class);

    private final ServiceTracker<GeneratorProvider, List<String>> generators;
    private final ServiceTracker<Flow, Flow> flows;

    private Whiteboard(BundleContext bundles, NodeAssembly node) {
        generators = new ServiceTracker<>(bundles, GeneratorProvider.class, new ServiceTrackerCustomizer<>() {
            @Override
            public List<String> addingService(ServiceReference<GeneratorProvider> ref) {
                GeneratorProvider provider = bundles.getService(ref);
                return provider == null ? null : node.offer(provider, origin(ref.getBundle()));
            }

            @Override
            public void modifiedService(ServiceReference<GeneratorProvider> ref, List<String> names) {
            }

            @Override
            public void removedService(ServiceReference<GeneratorProvider> ref, List<String> names) {
                node.node().generators().withdraw(names);
                bundles.ungetService(ref);
            }
        });
        flows = new ServiceTracker<>(bundles, Flow.class, new ServiceTrackerCustomizer<>() {
            @Override
            public Flow addingService(ServiceReference<Flow> ref) {
                Flow flow = bundles.getService(ref);
                if (flow != null) {
                    try {
                        node.flows().add(flow, origin(ref.getBundle()), node.node());
                    } catch (Exception e) {
                        LOG.error("Flow {} of {} could not be added: {}", flow.name(), origin(ref.getBundle()),
                                e.getMessage(), e);
                    }
                }
                return flow;
            }

            @Override
            public void modifiedService(ServiceReference<Flow> ref, Flow flow) {
            }

            @Override
            public void removedService(ServiceReference<Flow> ref, Flow flow) {
                node.flows().remove(flow);
                bundles.ungetService(ref);
            }
        });
    }

    /**
     * Starts following: the services already registered are handed over before this returns. All services of the
     * two types are tracked, whatever the class space of the bundle whose context is used (the Blueprint bundle's).
     */
    static Whiteboard open(BundleContext bundles, NodeAssembly node) {
        Whiteboard w = new Whiteboard(bundles, node);
        w.generators.open(true);
        w.flows.open(true);
        return w;
    }

    /** How {@code ttv:routes} and the logs name a bundle: symbolic name and version. */
    static String origin(Bundle bundle) {
        return bundle == null ? "unknown" : bundle.getSymbolicName() + " " + bundle.getVersion();
    }

    @Override
    public void close() {
        flows.close();
        generators.close();
    }
}
