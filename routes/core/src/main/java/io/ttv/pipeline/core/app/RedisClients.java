package io.ttv.pipeline.core.app;

import io.ttv.pipeline.core.config.PipelineConfig;
import io.ttv.pipeline.core.config.RedisUrl;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.jedis.JedisClientConfiguration;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import redis.clients.jedis.JedisPoolConfig;

import java.time.Duration;

/**
 * The Redis connection (Jedis pool behind spring-data-redis) shared by the routes: string keys and values so that
 * {@code redis-cli} shows what the service wrote. Timeouts are bounded: an outage is an error, not a hang.
 */
public final class RedisClients implements AutoCloseable {
    private final JedisConnectionFactory factory;
    private final StringRedisTemplate template;

    /**
     * @param httpThreads threads that may run API requests at once, each needing a connection for a moment
     */
    public RedisClients(PipelineConfig config, int httpThreads) {
        RedisUrl url = config.redisUrl();
        RedisStandaloneConfiguration standalone = new RedisStandaloneConfiguration(url.host(), url.port());
        standalone.setDatabase(url.database());
        if (url.username() != null) {
            standalone.setUsername(url.username());
        }
        if (url.password() != null) {
            standalone.setPassword(url.password());
        }
        JedisPoolConfig pool = new JedisPoolConfig();
        // Each claim loop holds a connection while it blocks on BLMOVE; every API thread may need one, plus the
        // heartbeat, reaper, health checks and metrics. Idle connections stay pooled (the evictor closes those idle
        // for a minute): a pool that keeps fewer than a burst uses opens and closes a connection per request.
        int connections = config.workerConcurrency() + httpThreads + 8;
        pool.setMaxTotal(connections);
        pool.setMaxIdle(connections);
        pool.setMinIdle(0);
        pool.setMaxWait(Duration.ofMillis(config.redisTimeoutMs()));
        pool.setTestOnBorrow(false);
        pool.setTestWhileIdle(true);
        pool.setJmxEnabled(false);
        JedisClientConfiguration.JedisClientConfigurationBuilder client = JedisClientConfiguration.builder()
                .connectTimeout(Duration.ofMillis(config.redisTimeoutMs()))
                .readTimeout(Duration.ofMillis(config.redisTimeoutMs()));
        if (url.tls()) {
            client.useSsl();
        }
        factory = new JedisConnectionFactory(standalone, client.usePooling().poolConfig(pool).build());
        factory.afterPropertiesSet();
        factory.start();
        template = new StringRedisTemplate(factory);
        template.afterPropertiesSet();
    }

    public JedisConnectionFactory connectionFactory() {
        return factory;
    }

    public StringRedisTemplate template() {
        return template;
    }

    @Override
    public void close() {
        factory.destroy();
    }
}
