package io.ttv.pipeline.core.logging;

import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.spi.InterceptStrategy;
import org.apache.camel.support.processor.DelegateAsyncProcessor;

/**
 * Binds the log context ({@link LogContext}) before every step of every route, on the thread that runs the step.
 * Every key is set or removed from the exchange at each step, so a pooled thread's next exchange never shows the
 * ids of the previous one.
 */
public final class MdcInterceptStrategy implements InterceptStrategy {

    @Override
    public Processor wrapProcessorInInterceptors(CamelContext context, NamedNode definition, Processor target,
                                                 Processor nextTarget) {
        return new DelegateAsyncProcessor(target) {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                LogContext.bind(exchange);
                return super.process(exchange, callback);
            }
        };
    }
}
