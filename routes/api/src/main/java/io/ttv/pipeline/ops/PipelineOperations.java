package io.ttv.pipeline.ops;

import java.util.List;
import java.util.Map;

/**
 * What an operator can see and do on a running node: the OSGi service behind the Karaf console's {@code ttv:*}
 * commands (bundle io.ttv.shell). {@code PipelineApplication} registers it when the node has started and
 * unregisters it when the node stops. Jobs, queue, workers and dead letters are the fleet's (all in Redis); routes
 * and health are this node's. Failures the operator must see (unknown id, refused move) are
 * {@link OperationException}s with a one-line message.
 */
public interface PipelineOperations {
    /** all, api or worker. */
    String role();

    /** This node's worker id, or null when it runs no workers. */
    String workerId();

    /** Job hashes (every stored field), newest first; {@code status} null for any status. */
    List<Map<String, String>> jobs(String status, int limit);

    /** Every stored field of a job; throws when there is no such job. */
    Map<String, String> job(String id);

    /** The newest {@code tail} log lines of a job, oldest first. */
    List<String> jobLogs(String id, int tail);

    /** Cancels a queued or running job; returns what happened. */
    String cancelJob(String id);

    /** Puts a failed job back in the queue (fresh attempts); refused for any other status. */
    String retryJob(String id);

    /** Deletes terminal jobs that ended more than {@code days} days ago; returns how many. */
    int purgeJobs(int days);

    QueueStats queue();

    List<WorkerInfo> workers();

    /** Most dead letters one listing returns. */
    int MAX_DEAD_LETTERS = 1000;

    /** Callbacks given up on (the {@link #MAX_DEAD_LETTERS} oldest), oldest first. */
    default List<DeadLetter> deadLetters() {
        return deadLetters(MAX_DEAD_LETTERS);
    }

    /** The {@code limit} (1..{@link #MAX_DEAD_LETTERS}) oldest callbacks given up on, oldest first. */
    List<DeadLetter> deadLetters(int limit);

    /** Sends a dead-lettered callback again (it is dead-lettered anew if it fails again). */
    default String replayCallback(String id) {
        return replayCallback(id, "console");
    }

    /** As {@link #replayCallback(String)}; {@code via} (console, http) is named in the job's log line. */
    String replayCallback(String id, String via);

    /** Replays every dead letter; returns how many were sent. */
    default int replayAllCallbacks() {
        return replayAllCallbacks("console");
    }

    /** As {@link #replayAllCallbacks()}; {@code via} is named in the jobs' log lines. */
    int replayAllCallbacks(String via);

    /** This node's Camel routes with their statistics. */
    List<RouteInfo> routes();

    /** Stops, starts, suspends or resumes one of this node's routes; returns its new state. */
    String controlRoute(String id, RouteAction action);

    /** The readiness checks of this node (as {@code /readyz}). */
    Health health();

    enum RouteAction { STOP, START, SUSPEND, RESUME }

    /**
     * @param oldestWaitingJob id of the job that has waited longest in the queue, or null
     * @param oldestWaitingMillis how long it has waited, or -1
     * @param processing worker id → jobs in its processing list
     */
    record QueueStats(long depth, long delayed, long delayedDue, String oldestWaitingJob, long oldestWaitingMillis,
                      Map<String, Long> processing) {
    }

    /**
     * @param heartbeatAgeMillis time since the last heartbeat
     * @param alive whether its heartbeat key is still there (expired: the reaper will requeue its jobs)
     * @param local whether it is this node's worker
     */
    record WorkerInfo(String id, long heartbeatAgeMillis, boolean alive, long activeJobs, List<String> jobs,
                      boolean local) {
    }

    record DeadLetter(String id, String jobId, String event, String target, String error, String failedAt,
                      String attempts) {
    }

    /**
     * @param meanMillis mean processing time of an exchange, -1 when unknown
     */
    /** @param bundle the bundle that contributes the route: symbolic name and version */
    record RouteInfo(String id, String state, long exchangesTotal, long exchangesFailed, long inflight,
                     long meanMillis, String uptime, String endpoint, String bundle) {
    }

    record Health(boolean ready, List<Check> checks) {
    }

    record Check(String id, String state, String message) {
    }
}
