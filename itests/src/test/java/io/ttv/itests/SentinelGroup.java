package io.ttv.itests;

import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A Sentinel-managed Redis group on loopback: a master, two replicas and three Sentinels (quorum 2), all the
 * embedded-redis binary. Sentinels declare the master down after three seconds without an answer. With one second,
 * a Sentinel on a loaded machine could declare the master it had just promoted down before its first ping, and fail
 * over a second time; a failed election is retried after twice the failover timeout (10 s here).
 */
final class SentinelGroup implements AutoCloseable {
    static final String MASTER_ID = "ttvmaster";
    private static final int REPLICAS = 2;
    private static final int SENTINELS = 3;
    private static final int DOWN_AFTER_MS = 3000;

    private final Path work;
    private final List<Process> processes = new ArrayList<>();
    private final List<Integer> sentinelPorts = new ArrayList<>();
    private final Map<Integer, Process> servers = new HashMap<>();

    SentinelGroup(Path work) throws Exception {
        this.work = Files.createDirectories(work);
        try {
            int masterPort = Processes.freePort();
            server("redis-master", masterPort, List.of());
            for (int i = 1; i <= REPLICAS; i++) {
                server("redis-replica-" + i, Processes.freePort(),
                        List.of("--replicaof", "127.0.0.1", Integer.toString(masterPort)));
            }
            for (int i = 1; i <= SENTINELS; i++) {
                int port = Processes.freePort();
                Path conf = work.resolve("sentinel-" + i + ".conf");
                Files.writeString(conf, String.join("\n",
                        "port " + port,
                        "bind 127.0.0.1",
                        "dir " + work,
                        "sentinel monitor " + MASTER_ID + " 127.0.0.1 " + masterPort + " 2",
                        "sentinel down-after-milliseconds " + MASTER_ID + " " + DOWN_AFTER_MS,
                        "sentinel failover-timeout " + MASTER_ID + " 5000",
                        "sentinel parallel-syncs " + MASTER_ID + " 2", ""));
                processes.add(Processes.startRedisServer(work, "sentinel-" + i, port,
                        List.of(conf.toString(), "--sentinel")));
                sentinelPorts.add(port);
            }
            // A failover needs the Sentinels to know each other and the replicas: they learn it from their hello
            // messages, every 2 s.
            Processes.await("the Sentinels to see each other and both replicas", Duration.ofSeconds(60), () ->
                    sentinelPorts.stream().allMatch(p -> {
                        try (Jedis s = new Jedis("127.0.0.1", p)) {
                            return s.sentinelSentinels(MASTER_ID).size() == SENTINELS - 1
                                    && s.sentinelReplicas(MASTER_ID).stream()
                                    .filter(r -> !r.get("flags").contains("down")
                                            && "ok".equals(r.get("master-link-status"))).count() == REPLICAS;
                        }
                    }));
        } catch (Exception | AssertionError e) {
            close();
            throw e;
        }
    }

    private void server(String name, int port, List<String> more) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(work.resolve(name));
        List<String> args = new ArrayList<>(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString()));
        args.addAll(more);
        Process p = Processes.startRedisServer(work, name, port, args);
        processes.add(p);
        servers.put(port, p);
    }

    /** {@code TTV_REDIS_URL} naming the three Sentinels. */
    String url() {
        return "redis-sentinel://" + sentinelPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","))
                + "/0?sentinelMasterId=" + MASTER_ID;
    }

    /** The master as the first Sentinel names it now. */
    HostAndPort master() {
        try (Jedis s = new Jedis("127.0.0.1", sentinelPorts.get(0))) {
            List<String> address = s.sentinelGetMasterAddrByName(MASTER_ID);
            return new HostAndPort(address.get(0), Integer.parseInt(address.get(1)));
        }
    }

    /** SIGKILL of the current master, as a crashed host: no shutdown, nothing flushed. Returns its address. */
    HostAndPort killMaster() throws InterruptedException {
        HostAndPort master = master();
        Process p = servers.get(master.getPort());
        p.destroyForcibly();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the master did not die");
        }
        return master;
    }

    /**
     * The Sentinels' notable events ({@code +odown}, {@code +try-failover}, {@code +elected-leader},
     * {@code +switch-master}, {@code +tilt}, aborted failovers …), one line per event with the Sentinel's number.
     */
    String events() {
        StringBuilder out = new StringBuilder();
        for (int i = 1; i <= SENTINELS; i++) {
            try {
                for (String line : Files.readAllLines(work.resolve("sentinel-" + i + ".log"))) {
                    if (line.contains(" # ") && !line.contains("configuration")) {
                        out.append("\n  sentinel-").append(i).append(": ").append(line);
                    }
                }
            } catch (IOException e) {
                out.append("\n  sentinel-").append(i).append(": log unreadable: ").append(e);
            }
        }
        return out.toString();
    }

    /** How many times the first Sentinel switched to a new master. */
    long failovers() throws IOException {
        try (var lines = Files.lines(work.resolve("sentinel-1.log"))) {
            return lines.filter(l -> l.contains("+switch-master")).count();
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (int i = processes.size() - 1; i >= 0; i--) {
            Processes.stop(processes.get(i));
        }
    }
}
