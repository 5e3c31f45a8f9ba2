package io.ttv.pipeline.generator;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * Pure-Java generator that renders an animated title card for the prompt and encodes it as H.264 in an MP4
 * container (JCodec). No native code, no network, no thread-context class loader; works headless.
 *
 * <p>Output: 24 fps, {@code round(durationSeconds * 24)} frames; 640x360 (16:9), 360x640 (9:16) or 480x480 (1:1).
 * The same prompt, seed, duration and aspect ratio give a byte-identical file (on the same JVM and fonts).
 *
 * <p>Instances are stateless and thread-safe; each {@link #generate} call uses its own buffers (about 2 MB for
 * 640x360, independent of duration apart from the MP4 sample tables).
 */
public final class LocalVideoGenerator implements VideoGenerator {

    public static final String NAME = "local";
    public static final int FPS = 24;
    public static final double MIN_DURATION_SECONDS = 1.0;
    public static final double MAX_DURATION_SECONDS = 60.0;
    /** IDR frame every 2 seconds. */
    static final int KEY_INTERVAL = 2 * FPS;

    @Override
    public String name() {
        return NAME;
    }

    /** Frame size for an aspect ratio, or {@code null} if unsupported. Index 0 = width, 1 = height. */
    static int[] frameSize(String aspectRatio) {
        if (aspectRatio == null) {
            return null;
        }
        return switch (aspectRatio.trim()) {
            case "16:9" -> new int[] {640, 360};
            case "9:16" -> new int[] {360, 640};
            case "1:1" -> new int[] {480, 480};
            default -> null;
        };
    }

    static int frameCount(double durationSeconds) {
        return (int) Math.round(durationSeconds * FPS);
    }

    /** The seed actually used: the request's seed, or one derived from the prompt when absent. */
    static long effectiveSeed(GenerationRequest request) {
        if (request.seed() != null) {
            return request.seed();
        }
        return first8Bytes(sha256("ttv-local-seed\u0000" + request.prompt()));
    }

    /** Seed for the renderer's random source: mixes prompt and effective seed. */
    static long renderSeed(String prompt, long seed) {
        byte[] p = prompt.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(p.length + 9).put(p).put((byte) 0).putLong(seed);
        return first8Bytes(sha256(buf.array()));
    }

    @Override
    public void generate(GenerationRequest request, Path output, ProgressListener listener)
            throws GenerationException, InterruptedException {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(output, "output");
        ProgressListener progress = listener != null ? listener : (p, m) -> { };
        boolean success = false;
        try {
            int[] size = validate(request);
            int frames = frameCount(request.durationSeconds());
            long seed = renderSeed(request.prompt(), effectiveSeed(request));
            render(request.prompt(), size[0], size[1], frames, seed, output, progress);
            success = true;
        } catch (ClosedByInterruptException e) {
            // the interrupt arrived while a FileChannel operation was in progress; the channel is closed now
            Thread.interrupted();
            InterruptedException ie = new InterruptedException("Generation interrupted");
            ie.initCause(e);
            throw ie;
        } catch (IOException e) {
            if (Thread.interrupted()) {
                InterruptedException ie = new InterruptedException("Generation interrupted");
                ie.initCause(e);
                throw ie;
            }
            throw new GenerationException("Could not write the video file", true, e);
        } catch (RuntimeException e) {
            throw new GenerationException("Internal error while generating the video", false, e);
        } finally {
            if (!success) {
                deleteQuietly(output);
            }
        }
    }

    private static int[] validate(GenerationRequest request) throws GenerationException {
        String prompt = request.prompt();
        if (prompt == null || prompt.isBlank()) {
            throw new GenerationException("Prompt must not be empty", false, null);
        }
        double d = request.durationSeconds();
        if (!(d >= MIN_DURATION_SECONDS && d <= MAX_DURATION_SECONDS)) { // also rejects NaN
            throw new GenerationException("Duration must be between 1 and 60 seconds", false, null);
        }
        int[] size = frameSize(request.aspectRatio());
        if (size == null) {
            throw new GenerationException("Unsupported aspect ratio; expected one of 16:9, 9:16, 1:1", false, null);
        }
        return size;
    }

    private static void render(String prompt, int width, int height, int frames, long seed, Path output,
                               ProgressListener progress) throws IOException, InterruptedException {
        checkInterrupted();
        progress.onProgress(0, "Rendering " + frames + " frames at " + width + "x" + height);
        int lastReported = 0;
        try (FileChannel ch = FileChannel.open(output, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
             TitleCardRenderer renderer = new TitleCardRenderer(width, height, frames, FPS, prompt, seed)) {
            H264Mp4Writer writer = new H264Mp4Writer(ch, width, height, FPS, KEY_INTERVAL);
            for (int i = 0; i < frames; i++) {
                checkInterrupted();
                renderer.render(i);
                writer.writeFrame(renderer.image());
                // rendering/encoding is 0..95 %, the rest is finishing the file
                int pct = (int) ((i + 1) * 95L / frames);
                if (pct >= lastReported + 5) {
                    lastReported = pct - pct % 5;
                    progress.onProgress(lastReported, "Encoded frame " + (i + 1) + " of " + frames);
                }
            }
            checkInterrupted();
            writer.finish();
        }
        progress.onProgress(100, "Video complete");
    }

    private static void checkInterrupted() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("Generation interrupted");
        }
    }

    private static void deleteQuietly(Path output) {
        try {
            Files.deleteIfExists(output);
        } catch (IOException | RuntimeException ignored) {
            // best effort; the original failure is more important
        }
    }

    private static byte[] sha256(String s) {
        return sha256(s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 not available", e);
        }
    }

    private static long first8Bytes(byte[] b) {
        return ByteBuffer.wrap(b, 0, 8).getLong();
    }
}
