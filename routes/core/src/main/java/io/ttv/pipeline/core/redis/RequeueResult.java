package io.ttv.pipeline.core.redis;

import java.util.List;

/** What giving back a worker's jobs did: how many went back to the queue, and which were failed instead. */
public record RequeueResult(int requeued, List<String> failed) {
}
