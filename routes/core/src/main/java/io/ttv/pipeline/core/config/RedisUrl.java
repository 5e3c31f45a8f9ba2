package io.ttv.pipeline.core.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A parsed {@code redis://[[user]:password@]host[:port][/db]} URL ({@code rediss://} for TLS), or a Redis Cluster's
 * {@code redis-cluster://[[user]:password@]host:port,host:port,…} (its seed nodes; host and port are the first's).
 *
 * @param clusterNodes the seed nodes ({@code host:port}) of a Redis Cluster; empty for one Redis
 */
public record RedisUrl(String host, int port, int database, String username, String password, boolean tls,
                       List<String> clusterNodes) {
    private static final String CLUSTER_SCHEME = "redis-cluster://";

    public static RedisUrl parse(String value) {
        if (value.trim().startsWith(CLUSTER_SCHEME)) {
            return parseCluster(value.trim().substring(CLUSTER_SCHEME.length()));
        }
        URI uri;
        try {
            uri = new URI(value.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL");
        }
        String scheme = uri.getScheme();
        if (!"redis".equals(scheme) && !"rediss".equals(scheme)) {
            throw new IllegalArgumentException("scheme must be redis:// or rediss://");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("host is missing");
        }
        int port = uri.getPort() == -1 ? 6379 : uri.getPort();
        int db = 0;
        String path = uri.getPath();
        if (path != null && path.length() > 1) {
            try {
                db = Integer.parseInt(path.substring(1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("database must be a number, e.g. /0");
            }
            if (db < 0) {
                throw new IllegalArgumentException("database must not be negative");
            }
        }
        String user = null;
        String password = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null && !userInfo.isEmpty()) {
            int colon = userInfo.indexOf(':');
            if (colon >= 0) {
                user = decode(userInfo.substring(0, colon));
                password = decode(userInfo.substring(colon + 1));
            } else {
                password = decode(userInfo);
            }
            if (user != null && user.isEmpty()) {
                user = null;
            }
        }
        return new RedisUrl(uri.getHost(), port, db, user, password, "rediss".equals(scheme), List.of());
    }

    /** Each seed node is read as a {@code redis://} URL with the credentials, so that it is checked the same way. */
    private static RedisUrl parseCluster(String rest) {
        int end = rest.length();
        for (char c : new char[] {'/', '?', '#'}) {
            int i = rest.indexOf(c);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        String authority = rest.substring(0, end);
        int at = authority.lastIndexOf('@');
        String credentials = at >= 0 ? authority.substring(0, at + 1) : "";
        List<String> nodes = new ArrayList<>();
        RedisUrl first = null;
        for (String node : authority.substring(at + 1).split(",", -1)) {
            if (node.isBlank()) {
                throw new IllegalArgumentException("a seed node is missing: list them as host:port,host:port");
            }
            RedisUrl seed = parse("redis://" + credentials + node.trim() + rest.substring(end));
            if (seed.database() != 0) {
                throw new IllegalArgumentException("a Redis Cluster has only database 0");
            }
            first = first == null ? seed : first;
            nodes.add(seed.host() + ":" + seed.port());
        }
        return new RedisUrl(first.host(), first.port(), 0, first.username(), first.password(), false,
                List.copyOf(nodes));
    }

    /** Whether this names a Redis Cluster (its seed nodes) rather than one Redis. */
    public boolean cluster() {
        return !clusterNodes.isEmpty();
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** The URL without its password, for logs. */
    public String redacted() {
        if (cluster()) {
            return CLUSTER_SCHEME + (password != null ? "***@" : "") + String.join(",", clusterNodes);
        }
        return (tls ? "rediss" : "redis") + "://" + (password != null ? "***@" : "") + host + ":" + port + "/" + database;
    }
}
