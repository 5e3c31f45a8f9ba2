package io.ttv.pipeline.core.app;

import java.util.Map;

/**
 * Receives the updates of one {@code ttv.*} PID from Blueprint's config admin support
 * ({@code cm:managed-properties}, component-managed) and hands them to the node.
 */
public class PidWatcher {
    private final String pid;
    private final PipelineApplication node;

    public PidWatcher(String pid, PipelineApplication node) {
        this.pid = pid;
        this.node = node;
    }

    /** Blueprint's update method: the PID's new properties. */
    public void updated(Map<String, ?> properties) {
        if (properties != null) {
            node.reconfigure(pid, properties);
        }
    }
}
