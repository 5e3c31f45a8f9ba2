package io.ttv.pipeline.core.config;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A parsed {@code TTV_REDIS_URL}, in the URI forms of Lettuce and other clients:
 * <ul>
 *   <li>{@code redis://[[user]:password@]host[:port][/db]}, {@code rediss://} for TLS: one standalone server;</li>
 *   <li>{@code redis-sentinel://[[user]:password@]host1[:port1][,host2[:port2]…][/db]?sentinelMasterId=name}
 *       ({@code rediss-sentinel://} for TLS): the master a group of Sentinels names. The credentials are those of
 *       the Redis servers; Sentinels that require their own take {@code sentinelUsername} and
 *       {@code sentinelPassword} query parameters.</li>
 *   <li>{@code redis-cluster://[[user]:password@]host1:port1,host2:port2…}: a Redis Cluster, found through its seed
 *       nodes (database 0 only; key names then carry one hash tag, see {@code RedisKeys}).</li>
 * </ul>
 *
 * @param nodes the server (standalone), the Sentinels (sentinel) or the seed nodes (cluster), never empty
 */
public record RedisUrl(Mode mode, List<Node> nodes, int database, String username, String password, boolean tls,
                       Sentinel sentinel) {

    /** How the node finds the Redis server it writes to. */
    public enum Mode {
        /** One server at a fixed address. */
        STANDALONE("redis", 6379, Set.of()),
        /** The current master of a Sentinel-managed group, followed through failovers. */
        SENTINEL("redis-sentinel", 26379, Set.of("sentinelMasterId", "sentinelUsername", "sentinelPassword")),
        /** A Redis Cluster: its slots and redirections followed from any of its seed nodes. */
        CLUSTER("redis-cluster", 6379, Set.of());

        private final String scheme;
        private final int defaultPort;
        private final Set<String> queryParameters;

        Mode(String scheme, int defaultPort, Set<String> queryParameters) {
            this.scheme = scheme;
            this.defaultPort = defaultPort;
            this.queryParameters = queryParameters;
        }

        String scheme(boolean tls) {
            return tls ? scheme.replaceFirst("^redis", "rediss") : scheme;
        }
    }

    public record Node(String host, int port) {
        @Override
        public String toString() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /** What a Sentinel URL adds: the master's name and the Sentinels' own credentials (both may be null). */
    public record Sentinel(String masterId, String username, String password) {
    }

    public static RedisUrl parse(String value) {
        String rest = value.trim();
        int schemeEnd = rest.indexOf("://");
        if (schemeEnd < 0) {
            throw new IllegalArgumentException("not a URL");
        }
        String scheme = rest.substring(0, schemeEnd);
        rest = rest.substring(schemeEnd + 3);
        Mode mode = null;
        boolean tls = false;
        for (Mode m : Mode.values()) {
            if (m.scheme(false).equals(scheme) || m.scheme(true).equals(scheme)) {
                mode = m;
                tls = m.scheme(true).equals(scheme);
            }
        }
        if (mode == null) {
            throw new IllegalArgumentException("scheme must be redis://, rediss://, redis-sentinel://, "
                    + "rediss-sentinel:// or redis-cluster://");
        }
        if (mode == Mode.CLUSTER && tls) {
            throw new IllegalArgumentException("TLS to a Redis Cluster (rediss-cluster://) is not supported");
        }

        Map<String, String> query = new LinkedHashMap<>();
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = query(rest.substring(q + 1), mode.queryParameters);
            rest = rest.substring(0, q);
        }
        int database = 0;
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            database = database(rest.substring(slash + 1));
            rest = rest.substring(0, slash);
        }
        String username = null;
        String password = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = userInfo.indexOf(':');
            if (colon >= 0) {
                username = emptyToNull(decode(userInfo.substring(0, colon)));
                password = decode(userInfo.substring(colon + 1));
            } else if (!userInfo.isEmpty()) {
                password = decode(userInfo);
            }
        }
        List<Node> nodes = nodes(rest, mode.defaultPort);

        Sentinel sentinel = null;
        if (mode == Mode.STANDALONE && nodes.size() > 1) {
            throw new IllegalArgumentException("redis:// names one server; use redis-sentinel:// or "
                    + "redis-cluster:// for several");
        }
        if (mode == Mode.CLUSTER && database != 0) {
            throw new IllegalArgumentException("a Redis Cluster has only database 0");
        }
        if (mode == Mode.SENTINEL) {
            String masterId = query.get("sentinelMasterId");
            if (masterId == null || masterId.isBlank()) {
                throw new IllegalArgumentException("sentinelMasterId=<master name> is missing");
            }
            sentinel = new Sentinel(masterId, emptyToNull(query.get("sentinelUsername")),
                    query.get("sentinelPassword"));
        }
        return new RedisUrl(mode, List.copyOf(nodes), database, username, password, tls, sentinel);
    }

    private static Map<String, String> query(String query, Set<String> allowed) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            if (!allowed.contains(name)) {
                throw new IllegalArgumentException("unknown parameter '" + name + "'"
                        + (allowed.isEmpty() ? "" : "; known: " + String.join(", ", allowed.stream().sorted().toList())));
            }
            out.put(name, eq < 0 ? "" : decode(pair.substring(eq + 1)));
        }
        return out;
    }

    private static int database(String path) {
        if (path.isEmpty()) {
            return 0;
        }
        try {
            int db = Integer.parseInt(path);
            if (db < 0) {
                throw new IllegalArgumentException("database must not be negative");
            }
            return db;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("database must be a number, e.g. /0");
        }
    }

    private static List<Node> nodes(String hosts, int defaultPort) {
        List<Node> nodes = new ArrayList<>();
        for (String hostPort : hosts.split(",", -1)) {
            String host;
            String port = null;
            if (hostPort.startsWith("[")) {
                int close = hostPort.indexOf(']');
                if (close < 0) {
                    throw new IllegalArgumentException("unclosed [ in an IPv6 address");
                }
                host = hostPort.substring(1, close);
                if (hostPort.length() > close + 1) {
                    if (hostPort.charAt(close + 1) != ':') {
                        throw new IllegalArgumentException("'" + hostPort + "' is not host:port");
                    }
                    port = hostPort.substring(close + 2);
                }
            } else {
                int colon = hostPort.lastIndexOf(':');
                host = colon < 0 ? hostPort : hostPort.substring(0, colon);
                port = colon < 0 ? null : hostPort.substring(colon + 1);
            }
            if (host.isEmpty()) {
                throw new IllegalArgumentException("host is missing");
            }
            if (!host.matches("[A-Za-z0-9._:%-]+")) {
                throw new IllegalArgumentException("'" + host + "' is not a host name or address");
            }
            nodes.add(new Node(host, port == null ? defaultPort : port(port)));
        }
        return nodes;
    }

    private static int port(String port) {
        try {
            int p = Integer.parseInt(port);
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("port must be a number between 1 and 65535, not '" + port + "'");
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    /** Whether this names a Redis Cluster (its seed nodes) rather than one server or a Sentinel group. */
    public boolean cluster() {
        return mode == Mode.CLUSTER;
    }

    /** The first node: the server of a standalone URL, the first Sentinel or seed node of the others. */
    public String host() {
        return nodes.get(0).host();
    }

    public int port() {
        return nodes.get(0).port();
    }

    /** The URL without its passwords, for logs. */
    public String redacted() {
        StringBuilder s = new StringBuilder(mode.scheme(tls)).append("://");
        if (username != null || password != null) {
            s.append(username == null ? "" : username).append(password == null ? "" : ":***").append('@');
        }
        s.append(nodes.stream().map(Node::toString).collect(Collectors.joining(","))).append('/').append(database);
        if (sentinel != null) {
            s.append("?sentinelMasterId=").append(sentinel.masterId());
            if (sentinel.username() != null) {
                s.append("&sentinelUsername=").append(sentinel.username());
            }
            if (sentinel.password() != null) {
                s.append("&sentinelPassword=***");
            }
        }
        return s.toString();
    }
}
