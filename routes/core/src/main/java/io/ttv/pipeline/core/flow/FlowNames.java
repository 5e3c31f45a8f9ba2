package io.ttv.pipeline.core.flow;

import io.ttv.pipeline.core.config.PipelineConfig.Role;

import java.util.ArrayList;
import java.util.List;

/** The flows of the pipeline by name, and which of them a node of each role runs. */
public final class FlowNames {
    public static final String INTAKE = "intake";
    public static final String PROCESSING = "processing";
    public static final String CALLBACKS = "callbacks";
    public static final String ADMIN = "admin";
    public static final String RETENTION = "retention";

    private FlowNames() {
    }

    /** The flows a node of {@code role} must run to be ready. */
    public static List<String> expected(Role role) {
        List<String> names = new ArrayList<>();
        if (role.runsApi()) {
            names.addAll(List.of(INTAKE, ADMIN));
        }
        if (role.runsWorkers()) {
            names.add(PROCESSING);
        }
        names.addAll(List.of(CALLBACKS, RETENTION));
        return names;
    }
}
