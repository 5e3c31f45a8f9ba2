package io.ttv.pipeline.generator;

/** Receives progress updates from a {@link VideoGenerator}. Called on the generating thread. */
@FunctionalInterface
public interface ProgressListener {

    /**
     * @param percent 0..100, non-decreasing over one generation; 100 is reported only once the output file is
     *                completely written and closed
     * @param message short human-readable status
     */
    void onProgress(int percent, String message);
}
