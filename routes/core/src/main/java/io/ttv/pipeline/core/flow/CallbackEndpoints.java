package io.ttv.pipeline.core.flow;

/**
 * The callbacks flow's inbox: job events queued by the core's outbox, already in Redis
 * ({@link io.ttv.pipeline.core.redis.CallbackQueue}), handed over for an immediate first attempt on this node.
 */
public final class CallbackEndpoints {
    public static final String OUTBOX = "seda:callbacks-outbox";
    /** Header of a hand-off: the token of the queued delivery, with which this node may claim it before it is due. */
    public static final String TOKEN = "TtvCallbackToken";

    private CallbackEndpoints() {
    }
}
