package io.ttv.pipeline.core.domain;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Decides whether a callback host is a loopback, private, link-local or otherwise internal address (SSRF guard).
 * Checked at submit and again before every delivery attempt, since a name's addresses may change.
 */
public final class CallbackTargets {
    /** Something a resolver would read as an IPv4 address: 1 to 4 decimal, octal (0…) or hex (0x…) parts. */
    private static final Pattern NUMERIC_V4 =
            Pattern.compile("(0x[0-9a-f]*|[0-9]+)(\\.(0x[0-9a-f]*|[0-9]+)){0,3}");
    private static final Pattern CANONICAL_V4 =
            Pattern.compile("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}");

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
     * its addresses is internal. A name that does not resolve is not refused here (its request will fail).
     */
    public static String refusal(String host, Resolver resolver) {
        if (host == null || host.isEmpty()) {
            return "no host";
        }
        if (isLiteralPrivate(host)) {
            return "target is a loopback, private, link-local or ambiguous address";
        }
        String h = normalise(host);
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

    private static String normalise(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        while (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return h;
    }

    /**
     * True, with no DNS lookup, for {@code localhost} names, IP literals in internal ranges, and IPv4 addresses
     * written in any form other than a plain dotted quad ({@code 2130706433}, {@code 0177.0.0.1},
     * {@code 0x7f000001}, {@code 127.1}): resolvers disagree about those, so they are refused whatever they denote.
     */
    public static boolean isLiteralPrivate(String host) {
        String h = normalise(host);
        if (h.isEmpty() || h.equals("localhost") || h.endsWith(".localhost")) {
            return true;
        }
        if (h.contains(":")) {
            try {
                return isInternal(InetAddress.getByName(h)); // an IPv6 literal: parsed, never looked up
            } catch (UnknownHostException e) {
                return true;
            }
        }
        if (!NUMERIC_V4.matcher(h).matches()) {
            return false; // a name
        }
        if (!CANONICAL_V4.matcher(h).matches()) {
            return true;
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
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            int third = b[2] & 0xff;
            return first == 0                                         // "this network"
                    || (first == 100 && second >= 64 && second < 128) // CGNAT 100.64/10
                    || (first == 192 && second == 0 && third == 0)    // IETF protocol assignments 192.0.0/24
                    || (first == 198 && (second == 18 || second == 19)) // benchmarking 198.18/15
                    || first >= 240;                                  // reserved, broadcast
        }
        if (a instanceof Inet6Address v6) {
            if ((b[0] & 0xfe) == 0xfc) {
                return true; // unique local fc00::/7
            }
            if (v6.isIPv4CompatibleAddress() || isPrefix(b, 0x00, 0x64, 0xff, 0x9b)) {
                return isInternal(v4(b, 12)); // ::a.b.c.d and NAT64 64:ff9b::a.b.c.d
            }
            if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) {
                return isInternal(v4(b, 2)); // 6to4 2002:aabb:ccdd::
            }
        }
        return false;
    }

    private static boolean isPrefix(byte[] b, int... prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if ((b[i] & 0xff) != prefix[i]) {
                return false;
            }
        }
        for (int i = prefix.length; i < 12; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static InetAddress v4(byte[] b, int offset) {
        try {
            return InetAddress.getByAddress(new byte[]{b[offset], b[offset + 1], b[offset + 2], b[offset + 3]});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
