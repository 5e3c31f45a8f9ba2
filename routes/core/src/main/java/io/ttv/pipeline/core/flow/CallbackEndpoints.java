package io.ttv.pipeline.core.flow;

/** The callbacks flow's inbox: job events queued by the core's outbox. */
public final class CallbackEndpoints {
    public static final String FLOW = "callbacks";
    public static final String OUTBOX = "seda:callbacks-outbox";

    private CallbackEndpoints() {
    }
}
