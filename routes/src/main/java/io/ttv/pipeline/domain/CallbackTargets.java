package io.ttv.pipeline.domain;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/** Decides whether a callback host is a loopback, private, link-local or otherwise internal address. */
public final class CallbackTargets {
    private CallbackTargets() {
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
