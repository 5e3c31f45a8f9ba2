package io.ttv.pipeline.core.app;

import io.ttv.pipeline.core.config.PipelineConfig;
import io.ttv.pipeline.core.redis.CreateResult;
import io.ttv.pipeline.core.redis.JobStore;
import io.ttv.pipeline.core.redis.NotReplicatedException;
import io.ttv.pipeline.core.redis.RedisKeys;
import io.ttv.pipeline.testing.RedisProcess;
import io.ttv.pipeline.testing.TestJobs;
import io.ttv.pipeline.testing.TestRedisTls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisNode;
import org.springframework.data.redis.connection.RedisSentinelConnection;
import org.springframework.data.redis.core.RedisCallback;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code rediss-sentinel://} against a real master, one replica and one Sentinel on loopback, all serving TLS only
 * with a private CA, the servers with an ACL user and the Sentinel with its own password: the clients find the
 * master through the Sentinel, {@code TTV_REDIS_WAIT_REPLICAS} holds a creation until the replica has it, and
 * after the master is killed the same clients write to the promoted replica. The tests run in order: each leaves
 * the group as the next one needs it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisSentinelTest {
    private static final String MASTER_ID = "ttvmaster";
    private static final Duration WAIT = Duration.ofMillis(1500);
    @TempDir
    static Path dir;
    private static TestRedisTls pki;
    private static RedisProcess master;
    private static RedisProcess replica;
    private static RedisProcess sentinel;
    private static RedisClients clients;
    private static String firstJob;

    @BeforeAll
    static void startGroup() throws Exception {
        pki = TestRedisTls.create(dir.resolve("pki"));
        master = server("master", RedisProcess.freePort(), List.of());
        replica = server("replica", RedisProcess.freePort(), List.of("--replicaof", "127.0.0.1",
                Integer.toString(master.port()), "--masteruser", "ttv", "--masterauth", "s3cret",
                "--enable-debug-command", "yes"));
        int sentinelPort = RedisProcess.freePort();
        Path conf = dir.resolve("sentinel.conf");
        Files.writeString(conf, String.join("\n",
                "port 0",
                "tls-port " + sentinelPort,
                "tls-cert-file " + pki.serverCert(),
                "tls-key-file " + pki.serverKey(),
                "tls-ca-cert-file " + pki.ca(),
                "tls-auth-clients no",
                "tls-replication yes",
                "bind 127.0.0.1",
                "requirepass sentinel-s3cret",
                "sentinel monitor " + MASTER_ID + " 127.0.0.1 " + master.port() + " 1",
                "sentinel auth-user " + MASTER_ID + " ttv",
                "sentinel auth-pass " + MASTER_ID + " s3cret",
                "sentinel down-after-milliseconds " + MASTER_ID + " 1000",
                "sentinel failover-timeout " + MASTER_ID + " 5000", ""));
        sentinel = RedisProcess.start(dir, "sentinel", sentinelPort, List.of(conf.toString(), "--sentinel"));
        clients = new RedisClients(PipelineConfig.resolve(Map.of(), Map.of(
                "TTV_REDIS_URL", "rediss-sentinel://ttv:s3cret@127.0.0.1:" + sentinelPort
                        + "/0?sentinelMasterId=" + MASTER_ID + "&sentinelPassword=sentinel-s3cret",
                "TTV_REDIS_CA_FILE", pki.ca().toString(),
                "TTV_REDIS_TIMEOUT_MS", "4000")), 2);
        // Ready when the replica has synchronised and the Sentinel knows it (it can only promote a replica it knows).
        try (RedisClients onReplica = direct(replica)) {
            awaitUntil("the replica to synchronise", () -> onReplica.template().execute((RedisCallback<Boolean>) c ->
                    "up".equals(c.serverCommands().info("replication").getProperty("master_link_status"))));
        }
        awaitUntil("the Sentinel to know the replica", RedisSentinelTest::sentinelKnowsTheReplica);
    }

    private static boolean sentinelKnowsTheReplica() {
        try (RedisSentinelConnection s = clients.connectionFactory().getSentinelConnection()) {
            return s.replicas(RedisNode.newRedisNode().withName(MASTER_ID).build()).stream()
                    .anyMatch(r -> r.getPort() == replica.port() && !r.getFlags().contains("down"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void awaitUntil(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    private static RedisProcess server(String name, int port, List<String> more) throws Exception {
        List<String> args = new ArrayList<>(pki.redisArguments(port));
        args.addAll(List.of("--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--user", "default", "off", "--user", "ttv", "on", ">s3cret", "~*", "&*", "+@all"));
        args.addAll(more);
        return RedisProcess.start(dir, name, port, args);
    }

    @AfterAll
    static void stopGroup() throws InterruptedException {
        if (clients != null) {
            clients.close();
        }
        for (RedisProcess p : new RedisProcess[] {sentinel, replica, master}) {
            if (p != null) {
                p.close();
            }
        }
    }

    /** A client of one server, not of the group: to look at what the replica holds. */
    private static RedisClients direct(RedisProcess server) {
        return direct(server, 5000);
    }

    private static RedisClients direct(RedisProcess server, int timeoutMs) {
        return new RedisClients(PipelineConfig.resolve(Map.of(), Map.of(
                "TTV_REDIS_URL", "rediss://ttv:s3cret@127.0.0.1:" + server.port() + "/0",
                "TTV_REDIS_CA_FILE", pki.ca().toString(),
                "TTV_REDIS_TIMEOUT_MS", Integer.toString(timeoutMs))), 2);
    }

    /** Whether the server answers a PING within the clients' timeout. */
    private static boolean answers(RedisClients clients) {
        try {
            return "PONG".equals(clients.template().execute((RedisCallback<String>) RedisConnection::ping));
        } catch (DataAccessException e) {
            return false;
        }
    }

    @Test
    @Order(1)
    void aCreationWaitingForOneReplicaReturnsOnceTheReplicaHoldsTheJob() throws Exception {
        JobStore store = new JobStore(clients.template(), RedisKeys.STANDARD,
                new JobStore.ReplicaAcknowledgement(1, WAIT));
        firstJob = TestJobs.queued(store);
        try (RedisClients onReplica = direct(replica)) {
            // Read at once, no polling: WAIT returned only after the replica had applied the write.
            JobStore replicaStore = new JobStore(onReplica.template(), RedisKeys.STANDARD);
            assertEquals("queued", replicaStore.get(firstJob).get("status"));
            // What a demoted master answers a write mid-failover: a DataAccessException, which the API turns into a
            // 503 RedisUnavailable (ApiErrorConfiguration).
            DataAccessException readOnly = assertThrows(DataAccessException.class, () -> TestJobs.queued(replicaStore));
            assertTrue(readOnly.getMessage().contains("READONLY"), readOnly.getMessage());
        }
    }

    @Test
    @Order(2)
    void aReplayIsAnsweredOnlyOnceTheReplicaHoldsTheReplayedJob() throws Exception {
        JobStore store = new JobStore(clients.template(), RedisKeys.STANDARD,
                new JobStore.ReplicaAcknowledgement(1, WAIT));
        JobStore.Idempotency key = new JobStore.Idempotency("replayed-key-digest", "fingerprint");
        String id = UUID.randomUUID().toString();
        Map<String, String> fields = Map.of("id", id, "status", "queued");
        try (RedisClients onReplica = direct(replica); RedisClients probe = direct(replica, 200);
             RedisClients otherNode = direct(master)) {
            assertTrue(answers(probe), "the replica answers before it sleeps");
            // The replica stops applying the stream for 3 s; meanwhile another node's connection writes the job.
            Thread sleeper = new Thread(() -> onReplica.template().execute((RedisCallback<Object>) c ->
                    c.execute("DEBUG", "SLEEP".getBytes(StandardCharsets.US_ASCII),
                            "3".getBytes(StandardCharsets.US_ASCII))));
            sleeper.start();
            awaitUntil("the replica to be asleep (no PONG within 200 ms)", () -> !answers(probe));
            assertEquals(CreateResult.Outcome.CREATED,
                    new JobStore(otherNode.template(), RedisKeys.STANDARD).create(id, Instant.now(), fields, key)
                            .outcome());
            // The replay writes nothing, yet its WAIT must wait for the other connection's write to be replicated.
            assertThrows(NotReplicatedException.class,
                    () -> store.create(UUID.randomUUID().toString(), Instant.now(), fields, key));
            sleeper.join(10_000);
        }
        assertEquals(new CreateResult(CreateResult.Outcome.REPLAYED, id),
                store.create(UUID.randomUUID().toString(), Instant.now(), fields, key));
        awaitUntil("the Sentinel to see the replica up again", RedisSentinelTest::sentinelKnowsTheReplica);
    }

    @Test
    @Order(3)
    void afterTheMasterIsKilledTheSameClientsWriteToThePromotedReplica() throws Exception {
        master.kill();
        JobStore store = new JobStore(clients.template(), RedisKeys.STANDARD);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String second = null;
        while (second == null) {
            try {
                second = TestJobs.queued(store);
            } catch (DataAccessException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
        assertEquals("queued", store.get(firstJob).get("status"));
        try (RedisClients onPromoted = direct(replica)) {
            assertEquals("queued", new JobStore(onPromoted.template(), RedisKeys.STANDARD).get(second).get("status"));
        }
    }

    @Test
    @Order(4)
    void withoutAReplicaTheCreationIsNotAcceptedAndItsReplayNeither() {
        JobStore store = new JobStore(clients.template(), RedisKeys.STANDARD,
                new JobStore.ReplicaAcknowledgement(1, WAIT));
        String id = UUID.randomUUID().toString();
        JobStore.Idempotency key = new JobStore.Idempotency("client-key-digest", "fingerprint");
        Map<String, String> fields = Map.of("id", id, "status", "queued");
        assertThrows(NotReplicatedException.class, () -> store.create(id, Instant.now(), fields, key));
        // The job stays on the master (docs/configuration.md): a retry with the same key replays it, and is refused
        // for the same reason as long as no replica acknowledges.
        assertEquals("queued", store.get(id).get("status"));
        assertThrows(NotReplicatedException.class, () -> store.create(UUID.randomUUID().toString(), Instant.now(),
                fields, key));
        CreateResult replay = new JobStore(clients.template(), RedisKeys.STANDARD)
                .create(UUID.randomUUID().toString(), Instant.now(), fields, key);
        assertEquals(new CreateResult(CreateResult.Outcome.REPLAYED, id), replay);
    }
}
