package io.ttv.pipeline.core.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** A parsed {@code redis://[[user]:password@]host[:port][/db]} URL ({@code rediss://} for TLS). */
public record RedisUrl(String host, int port, int database, String username, String password, boolean tls) {

    public static RedisUrl parse(String value) {
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
        return new RedisUrl(uri.getHost(), port, db, user, password, "rediss".equals(scheme));
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** The URL without its password, for logs. */
    public String redacted() {
        return (tls ? "rediss" : "redis") + "://" + (password != null ? "***@" : "") + host + ":" + port + "/" + database;
    }
}
