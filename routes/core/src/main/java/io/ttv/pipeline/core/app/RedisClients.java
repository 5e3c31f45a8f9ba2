package io.ttv.pipeline.core.app;

import io.ttv.pipeline.core.config.PipelineConfig;
import io.ttv.pipeline.core.config.RedisUrl;
import io.ttv.pipeline.core.redis.RedisKeys;
import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.jedis.JedisClientConfiguration;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import redis.clients.jedis.JedisPoolConfig;

import java.time.Duration;

/**
 * The Redis connection (Jedis pool behind spring-data-redis) shared by the routes: string keys and values so that
 * {@code redis-cli} shows what the service wrote. Timeouts are bounded: an outage is an error, not a hang. One
 * connection factory per {@link RedisUrl.Mode}; every Redis user (template, pub/sub consumers, claim loops) takes
 * its connections from it, so all of them follow a Sentinel failover. With a Redis Cluster, Jedis follows its slots and
 * redirections, and the key names carry one hash tag ({@link RedisKeys#CLUSTER}).
 */
public final class RedisClients implements AutoCloseable {
    private final JedisConnectionFactory factory;
    private final StringRedisTemplate template;
    private final RedisKeys keys;

    /**
     * @param httpThreads threads that may run API requests at once, each needing a connection for a moment
     */
    public RedisClients(PipelineConfig config, int httpThreads) {
        RedisUrl url = config.redisUrl();
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
            client.useSsl().sslSocketFactory(RedisTls.socketFactory(config.redisCaFile()))
                    .sslParameters(RedisTls.verifyingHostname());
        }
        JedisClientConfiguration clientConfig = client.usePooling().poolConfig(pool).build();
        factory = switch (url.mode()) {
            case STANDALONE -> new JedisConnectionFactory(standalone(url), clientConfig);
            // JedisSentinelPool asks the Sentinels for the master and follows their +switch-master announcements:
            // the pool then hands out connections to the new master only.
            case SENTINEL -> new JedisConnectionFactory(sentinel(url), clientConfig);
            // The pool settings apply to the pool of each cluster node.
            case CLUSTER -> new JedisConnectionFactory(cluster(url), clientConfig);
        };
        keys = url.cluster() ? RedisKeys.CLUSTER : RedisKeys.STANDARD;
        factory.afterPropertiesSet();
        factory.start();
        template = new StringRedisTemplate(factory);
        template.afterPropertiesSet();
    }

    private static RedisStandaloneConfiguration standalone(RedisUrl url) {
        RedisStandaloneConfiguration standalone = new RedisStandaloneConfiguration(url.host(), url.port());
        standalone.setDatabase(url.database());
        standalone.setUsername(url.username());
        standalone.setPassword(url.password());
        return standalone;
    }

    private static RedisSentinelConfiguration sentinel(RedisUrl url) {
        RedisSentinelConfiguration sentinel = new RedisSentinelConfiguration();
        sentinel.master(url.sentinel().masterId());
        url.nodes().forEach(n -> sentinel.sentinel(n.host(), n.port()));
        sentinel.setDatabase(url.database());
        sentinel.setUsername(url.username());
        sentinel.setPassword(url.password());
        sentinel.setSentinelUsername(url.sentinel().username());
        sentinel.setSentinelPassword(url.sentinel().password());
        return sentinel;
    }

    private static RedisClusterConfiguration cluster(RedisUrl url) {
        RedisClusterConfiguration cluster = new RedisClusterConfiguration(
                url.nodes().stream().map(RedisUrl.Node::toString).toList());
        cluster.setUsername(url.username());
        cluster.setPassword(url.password());
        return cluster;
    }

    public JedisConnectionFactory connectionFactory() {
        return factory;
    }

    public StringRedisTemplate template() {
        return template;
    }

    /** The key names for this Redis: the operations guide's, or with the Cluster's hash tag. */
    public RedisKeys keys() {
        return keys;
    }

    @Override
    public void close() {
        factory.destroy();
    }
}
