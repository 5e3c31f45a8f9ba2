package io.ttv.pipeline.domain;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/** Decides whether a callback host is a loopback, private, link-local or otherwise internal address. */
public final class CallbackTargets {
    private CallbackTargets() {
    }

    /** Resolves a host name to its addresses (the system resolver in production; a fixed table in tests). */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    public static final Resolver SYSTEM = InetAddress::getAllByName;

    /**
     * Why a callback must not go to {@code host}, or null when it may: the host is a refused literal, or one of
     * its addresses is internal. A name that does not resolve is not refused here (the request will fail).
     */
    public static String refusal(String host, Resolver resolver) {
        if (host == null || host.isEmpty()) {
            return "no host";
        }
        if (isLiteralPrivate(host)) {
            return "target is a loopback, private or link-local address";
        }
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        try {
            for (InetAddress a : resolver.resolve(h)) {
                if (isInternal(a)) {
                    return "target " + host + " resolves to an internal address (" + a.getHostAddress() + ")";
                }
            }
            return null;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** True for {@code localhost} names and IP literals in internal ranges; no DNS lookup. */
    public static boolean isLiteralPrivate(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.equals("localhost") || h.endsWith(".localhost")) {
            return true;
        }
        if (!h.matches("[0-9.]+") && !h.contains(":")) {
            return false;
        }
        try {
            return isInternal(InetAddress.getByName(h));
        } catch (UnknownHostException e) {
            return true;
        }
    }

    public static boolean isInternal(InetAddress a) {
        if (a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()
                || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (b.length == 4) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first == 0 || (first == 100 && second >= 64 && second < 128) || first >= 240;
        }
        return (b[0] & 0xfe) == 0xfc; // IPv6 unique local fc00::/7
    }
}
