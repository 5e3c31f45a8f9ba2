package io.ttv.pipeline.core.flow;

/**
 * A route builder whose routes hold work that must end before they are removed: running jobs, long-polls. The core
 * calls {@link #drain()} once the flow's consumers have stopped taking new work, then removes the routes, then calls
 * {@link #removed()}.
 */
public interface Drainable {
    /** Lets the work in progress finish or hands it back; returns when nothing of it is left. */
    default void drain() throws InterruptedException {
    }

    /** After the routes are gone: return what could not finish (for example jobs, to the queue). */
    default void removed() {
    }
}
