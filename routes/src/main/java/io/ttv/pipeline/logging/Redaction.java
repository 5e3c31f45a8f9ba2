package io.ttv.pipeline.logging;

import java.util.regex.Pattern;

/**
 * Secrets kept out of log lines: the values of URL query parameters that carry credentials (signed-URL
 * {@code X-Goog-Signature}/{@code X-Goog-Credential}, tokens, keys, signatures). The JSON layout applies the same
 * rule to every message as a safety net; code that logs a URL calls {@link #url} itself.
 */
public final class Redaction {
    public static final String REDACTED = "[REDACTED]";
    private static final Pattern SECRET_PARAM = Pattern.compile(
            "(?i)([?&;][^=&\\s\"']*(?:sig|token|key|secret|credential|auth|passw)[^=&\\s\"']*=)[^&\\s\"']*");

    private Redaction() {
    }

    /** The URL with the values of credential-like query parameters replaced; userinfo dropped. */
    public static String url(String url) {
        if (url == null) {
            return null;
        }
        String noUser = url.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@?#]*@", "$1");
        return SECRET_PARAM.matcher(noUser).replaceAll("$1" + REDACTED);
    }
}
