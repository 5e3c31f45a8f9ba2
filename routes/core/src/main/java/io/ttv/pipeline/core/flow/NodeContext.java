package io.ttv.pipeline.core.flow;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ttv.pipeline.core.callback.CallbackOutbox;
import io.ttv.pipeline.core.config.PipelineConfig;
import io.ttv.pipeline.core.gcs.ArtifactStore;
import io.ttv.pipeline.core.generator.Generators;
import io.ttv.pipeline.core.http.Api;
import io.ttv.pipeline.core.metrics.PipelineMetrics;
import io.ttv.pipeline.core.redis.AdminStore;
import io.ttv.pipeline.core.redis.CallbackDeadLetters;
import io.ttv.pipeline.core.redis.CallbackQueue;
import io.ttv.pipeline.core.redis.JobStore;
import io.ttv.pipeline.core.redis.RateLimiter;
import io.ttv.pipeline.core.tracing.Tracing;
import io.ttv.pipeline.ops.PipelineOperations;
import org.apache.camel.CamelContext;

/**
 * The long-lived parts of one running node that a {@link Flow} builds its routes over. They outlive every flow:
 * replacing a flow's bundle never re-creates them.
 *
 * @param workerId   this node's worker identity (its processing list, heartbeat and claims)
 * @param operations what the console and the admin endpoints do on this node
 * @param callbacks  the callback deliveries waiting in Redis (queued by {@code outbox}, delivered by any node)
 * @param tracing    the node's OpenTelemetry tracing (does nothing when off)
 * @param limiter    the API's shared rate limit, which a job creation takes its token from
 */
public record NodeContext(
        CamelContext camel,
        PipelineConfig config,
        ObjectMapper mapper,
        Api api,
        JobStore jobs,
        AdminStore admin,
        CallbackDeadLetters deadLetters,
        CallbackOutbox outbox,
        CallbackQueue callbacks,
        ArtifactStore artifacts,
        PipelineMetrics metrics,
        Generators generators,
        PipelineOperations operations,
        String workerId,
        Tracing tracing,
        RateLimiter limiter) {
}
