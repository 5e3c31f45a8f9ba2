package io.ttv.pipeline.core.flow;

import io.ttv.pipeline.ops.PipelineOperations;

/** Where the core's REST routes hand admin requests to the admin flow. */
public final class AdminEndpoints {
    /** Dead letters listed per request ({@code limit}): default and most. */
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = PipelineOperations.MAX_DEAD_LETTERS;
    public static final String LIST_DEAD_LETTERS = "direct:admin-list-dead-letters";
    public static final String REPLAY_DEAD_LETTER = "direct:admin-replay-dead-letter";
    public static final String REPLAY_DEAD_LETTERS = "direct:admin-replay-dead-letters";

    private AdminEndpoints() {
    }
}
