package io.ttv.pipeline.processing;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressSamplerTest {
    private static final long MS = 1_000_000;

    @Test
    void aFastRenderWritesOnlyReportsTenPointsApart() {
        ProgressSampler sampler = new ProgressSampler(0);
        List<Integer> written = new ArrayList<>();
        // Reports in the remote generator's shape for a provider that answers at once: submitted, queued, running,
        // then the download's steps (already scaled to 0..90 by the worker).
        for (int p : new int[] {1, 4, 9, 81, 82, 84, 86, 88, 89, 90}) {
            if (sampler.worthWriting(p, p * MS)) {
                written.add(p);
            }
        }
        assertEquals(List.of(81), written);
    }

    @Test
    void aSlowRenderWritesAnyRiseOncePerInterval() {
        ProgressSampler sampler = new ProgressSampler(0);
        assertFalse(sampler.worthWriting(1, 999 * MS));
        assertTrue(sampler.worthWriting(2, 1000 * MS));
        assertFalse(sampler.worthWriting(3, 1500 * MS));
        assertTrue(sampler.worthWriting(3, 2000 * MS));
        assertFalse(sampler.worthWriting(3, 5000 * MS), "no rise, no write");
        assertTrue(sampler.worthWriting(13, 5001 * MS));
    }
}
