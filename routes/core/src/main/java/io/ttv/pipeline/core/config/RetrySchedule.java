package io.ttv.pipeline.core.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The delays between callback attempts ({@code TTV_CALLBACK_RETRY_SCHEDULE}): a comma list such as
 * {@code 5s,30s,2m,5m,15m,30m,1h}, units {@code ms}, {@code s}, {@code m}, {@code h}. A schedule of n delays
 * allows 1 + n attempts. Each delay is applied with a jitter of ±20%.
 */
public record RetrySchedule(List<Duration> delays) {
    public static final int MAX_ENTRIES = 30;
    public static final Duration MAX_DELAY = Duration.ofHours(24);
    public static final double JITTER = 0.2;
    private static final Pattern ENTRY = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

    public RetrySchedule {
        delays = List.copyOf(delays);
    }

    /** Parses a schedule; throws {@link IllegalArgumentException} saying what is wrong. */
    public static RetrySchedule parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (t.isEmpty()) {
            throw new IllegalArgumentException("must be a comma list of delays such as 5s,30s,2m,1h");
        }
        List<Duration> out = new ArrayList<>();
        for (String part : t.split(",", -1)) {
            Matcher m = ENTRY.matcher(part.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException("'" + part.trim() + "' is not a delay (a number with ms, s, m or h)");
            }
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
            if (d.isZero() || d.compareTo(MAX_DELAY) > 0) {
                throw new IllegalArgumentException("each delay must be more than 0 and at most 24h, not " + part.trim());
            }
            out.add(d);
        }
        if (out.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException("at most " + MAX_ENTRIES + " delays");
        }
        return new RetrySchedule(out);
    }

    /** Attempts in all: the first one and one after each delay. */
    public int maxAttempts() {
        return 1 + delays.size();
    }

    /**
     * The delay before attempt {@code attempt + 1} after attempt {@code attempt} (1-based) failed, jittered by ±20%
     * with {@code random} in [0, 1); null when the schedule is exhausted.
     */
    public Duration delayAfter(int attempt, DoubleSupplier random) {
        if (attempt < 1 || attempt > delays.size()) {
            return null;
        }
        long ms = delays.get(attempt - 1).toMillis();
        double factor = 1 - JITTER + 2 * JITTER * random.getAsDouble();
        return Duration.ofMillis(Math.max(1, Math.round(ms * factor)));
    }
}
