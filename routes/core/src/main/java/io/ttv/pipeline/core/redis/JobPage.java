package io.ttv.pipeline.core.redis;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * One page of the job listing, newest first, and the cursor of the next page ({@code null} at the end). A cursor is
 * the position (creation time, id) of the last job examined, so pages never skip or repeat a job when new ones arrive.
 */
public record JobPage(List<Map<String, String>> jobs, String nextCursor) {

    /** A position in the {@code rq:jobs} index. */
    public record Position(double score, String id) {
        public String encode() {
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(((long) score + ":" + id).getBytes(StandardCharsets.UTF_8));
        }

        /** @throws IllegalArgumentException when the cursor was not made by {@link #encode()} */
        public static Position decode(String cursor) {
            String text;
            try {
                text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("not a cursor");
            }
            int colon = text.indexOf(':');
            if (colon <= 0 || colon == text.length() - 1) {
                throw new IllegalArgumentException("not a cursor");
            }
            try {
                return new Position(Long.parseLong(text.substring(0, colon)), text.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a cursor");
            }
        }
    }
}
