package io.ttv.pipeline.core.flow;

import io.ttv.pipeline.core.logging.LogContext;
import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.spi.InterceptStrategy;
import org.apache.camel.support.processor.DelegateAsyncProcessor;

/**
 * What runs around every step of every route, on the thread that runs the step:
 * <ul>
 *   <li>the log context ({@link LogContext}) is bound: every key is set or removed from the exchange, so a pooled
 *       thread's next exchange never shows the ids of the previous one;</li>
 *   <li>an {@link Error} thrown by the step becomes the exchange's exception. Camel's routing engine catches
 *       exceptions only (the bean component wraps what a bean throws; a processor or producer does not): an Error
 *       from, say, a client allocating a buffer would pass every {@code onException} and end the thread running the
 *       route. For a claim loop that is a worker slot gone for the node's lifetime and its job stuck as running. As
 *       an exception, the job's {@code onException} retries or fails it (the processing flow's
 *       {@code JobWorker#fail}) and the loop claims the next job.</li>
 * </ul>
 */
public final class StepInterceptor implements InterceptStrategy {

    @Override
    public Processor wrapProcessorInInterceptors(CamelContext context, NamedNode definition, Processor target,
                                                 Processor nextTarget) {
        return new DelegateAsyncProcessor(target) {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                LogContext.bind(exchange);
                try {
                    return super.process(exchange, callback);
                } catch (Error e) {
                    exchange.setException(new RuntimeCamelException("Error in route step " + definition.getId(), e));
                    callback.done(true);
                    return true;
                }
            }
        };
    }
}
