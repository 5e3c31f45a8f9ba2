package io.ttv.pipeline.core.flow;

import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.springframework.dao.DataAccessException;

/**
 * The one policy of background routes (claim loops, heartbeat, reaper, retry promotion, retention) for a Redis
 * outage: log one warning naming the route, pause {@link #PAUSE_MILLIS} so that an outage is not a busy loop, and
 * let the next timer tick try again. Routes opt in with {@code routeConfigurationId(REDIS_OUTAGE)}.
 */
public class RedisOutageConfiguration extends RouteConfigurationBuilder {
    public static final String REDIS_OUTAGE = "redis-outage";
    static final long PAUSE_MILLIS = 1000;

    @Override
    public void configuration() {
        routeConfiguration(REDIS_OUTAGE)
                .onException(DataAccessException.class).handled(true)
                .log(LoggingLevel.WARN, "${routeId}: Redis unavailable, retrying: ${exception.message}")
                .delay(PAUSE_MILLIS);
    }
}
