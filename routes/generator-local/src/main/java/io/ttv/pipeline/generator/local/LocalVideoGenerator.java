package io.ttv.pipeline.generator.local;

import io.ttv.pipeline.core.domain.Sha256;

import io.ttv.pipeline.generator.GenerationException;
import io.ttv.pipeline.generator.GenerationRequest;
import io.ttv.pipeline.generator.ProgressListener;
import io.ttv.pipeline.generator.VideoGenerator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Pure-Java generator: renders an animated title card for the prompt (Java2D, headless) and encodes it as H.264 in
 * an MP4 container (JCodec). No native code, no network, no thread-context class loader.
 *
 * <p>Output: 24 fps, {@code round(durationSeconds * 24)} frames; 640x360 (16:9), 360x640 (9:16) or 480x480 (1:1);
 * an IDR frame every 2 s. The same prompt, seed, duration and aspect ratio give a byte-identical file on the same
 * JVM/font installation, whatever the number of encoder threads.
 *
 * <p>With {@code encoderThreads > 1} the video is encoded in GOP-sized pieces on that many short-lived worker
 * threads (created per call, daemon) and muxed in order on the calling thread; progress callbacks always run on
 * the calling thread. Instances are immutable and thread-safe.
 */
public final class LocalVideoGenerator implements VideoGenerator {

    public static final String NAME = "local";
    public static final int FPS = 24;
    public static final double MIN_DURATION_SECONDS = 1.0;
    public static final double MAX_DURATION_SECONDS = 60.0;
    /** IDR frame every 2 seconds; also the unit of work for parallel encoding. */
    static final int KEY_INTERVAL = 2 * FPS;

    private static final AtomicInteger THREAD_SEQ = new AtomicInteger();

    private final int encoderThreads;

    /** Encodes on the calling thread only. */
    public LocalVideoGenerator() {
        this(1);
    }

    /** @param encoderThreads number of threads used to render and encode one video (1 = calling thread only) */
    public LocalVideoGenerator(int encoderThreads) {
        if (encoderThreads < 1) {
            throw new IllegalArgumentException("encoderThreads must be >= 1: " + encoderThreads);
        }
        this.encoderThreads = encoderThreads;
    }

    @Override
    public String name() {
        return NAME;
    }

    int encoderThreads() {
        return encoderThreads;
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
        return first8Bytes(Sha256.of(("ttv-local-seed\u0000" + request.prompt()).getBytes(StandardCharsets.UTF_8)));
    }

    /** Seed for the renderer's random source: mixes prompt and effective seed. */
    static long renderSeed(String prompt, long seed) {
        byte[] p = prompt.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(p.length + 9).put(p).put((byte) 0).putLong(seed);
        return first8Bytes(Sha256.of(buf.array()));
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
            Job job = new Job(request.prompt(), size[0], size[1], frameCount(request.durationSeconds()),
                    renderSeed(request.prompt(), effectiveSeed(request)));
            render(job, output, progress);
            success = true;
        } catch (ClosedByInterruptException e) {
            // interrupted during a FileChannel operation (which closes the channel and keeps the interrupt flag)
            Thread.interrupted();
            throw interrupted(e);
        } catch (IOException | UncheckedIOException e) {
            if (Thread.interrupted()) {
                throw interrupted(e);
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

    private record Job(String prompt, int width, int height, int frames, long seed) {
        FrameEncoder newEncoder() {
            return new FrameEncoder(width, height, frames, FPS, KEY_INTERVAL, prompt, seed);
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

    private void render(Job job, Path output, ProgressListener listener) throws IOException, InterruptedException {
        checkInterrupted();
        Progress progress = new Progress(listener, job.frames);
        listener.onProgress(0, "Rendering " + job.frames + " frames at " + job.width + "x" + job.height);
        try (FileChannel ch = FileChannel.open(output, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            H264Mp4Writer writer = new H264Mp4Writer(ch, job.width, job.height, FPS);
            int gops = (job.frames + KEY_INTERVAL - 1) / KEY_INTERVAL;
            if (encoderThreads == 1 || gops == 1) {
                try (FrameEncoder encoder = job.newEncoder()) {
                    encoder.encode(0, job.frames, (i, data, key) -> {
                        writer.writeFrame(data, key);
                        progress.frameDone();
                    });
                }
            } else {
                encodeParallel(job, gops, writer, progress);
            }
            checkInterrupted();
            writer.finish();
        }
        listener.onProgress(100, "Video complete");
    }

    // ---- parallel encoding -------------------------------------------------------------------------------------

    private sealed interface Event permits FrameDone, GopDone, Failed {
    }

    private record FrameDone() implements Event {
    }

    private record EncodedFrame(byte[] data, boolean key) {
    }

    private record GopDone(int gop, List<EncodedFrame> frames) implements Event {
    }

    private record Failed(Throwable error) implements Event {
    }

    private static final FrameDone FRAME_DONE = new FrameDone();

    private void encodeParallel(Job job, int gops, H264Mp4Writer writer, Progress progress)
            throws IOException, InterruptedException {
        int threads = Math.min(encoderThreads, gops);
        int maxInFlight = 2 * threads; // bounds memory: at most this many encoded GOPs waiting to be muxed
        BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        BlockingQueue<FrameEncoder> idleEncoders = new LinkedBlockingQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads, daemonThreads());
        try {
            Map<Integer, List<EncodedFrame>> finished = new HashMap<>();
            int nextToSubmit = 0;
            int nextToMux = 0;
            while (nextToSubmit < gops && nextToSubmit < maxInFlight) {
                submitGop(pool, job, nextToSubmit++, events, idleEncoders);
            }
            while (nextToMux < gops) {
                Event event = events.take();
                if (event instanceof FrameDone) {
                    progress.frameDone();
                } else if (event instanceof GopDone done) {
                    finished.put(done.gop(), done.frames());
                    List<EncodedFrame> frames;
                    while ((frames = finished.remove(nextToMux)) != null) {
                        for (EncodedFrame f : frames) {
                            writer.writeFrame(ByteBuffer.wrap(f.data()), f.key());
                        }
                        nextToMux++;
                        if (nextToSubmit < gops) {
                            submitGop(pool, job, nextToSubmit++, events, idleEncoders);
                        }
                    }
                } else if (event instanceof Failed failed) {
                    Throwable t = failed.error();
                    if (t instanceof RuntimeException re) {
                        throw re;
                    }
                    if (t instanceof Error err) {
                        throw err;
                    }
                    throw new IllegalStateException("Encoder worker failed", t);
                }
            }
        } finally {
            pool.shutdownNow(); // interrupts workers that are still running (only on failure/interruption)
            FrameEncoder e;
            while ((e = idleEncoders.poll()) != null) {
                e.close();
            }
        }
    }

    private static void submitGop(ExecutorService pool, Job job, int gop, BlockingQueue<Event> events,
                                  BlockingQueue<FrameEncoder> idleEncoders) {
        pool.execute(() -> {
            FrameEncoder encoder = idleEncoders.poll();
            try {
                if (encoder == null) {
                    encoder = job.newEncoder();
                }
                int from = gop * KEY_INTERVAL;
                int to = Math.min(job.frames, from + KEY_INTERVAL);
                List<EncodedFrame> frames = new ArrayList<>(to - from);
                encoder.encode(from, to, (i, data, key) -> {
                    byte[] copy = new byte[data.remaining()];
                    data.duplicate().get(copy);
                    frames.add(new EncodedFrame(copy, key));
                    events.add(FRAME_DONE);
                });
                events.add(new GopDone(gop, frames));
            } catch (InterruptedException e) {
                // cancelled by shutdownNow(): the calling thread is already unwinding
            } catch (Throwable t) {
                events.add(new Failed(t));
            } finally {
                if (encoder != null) {
                    idleEncoders.add(encoder);
                }
            }
        });
    }

    private static ThreadFactory daemonThreads() {
        return r -> {
            Thread t = new Thread(r, "ttv-local-encoder-" + THREAD_SEQ.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    /** Reports 0..95 % while frames are encoded, in steps of 5 %; 100 is reported after the file is closed. */
    private static final class Progress {
        private final ProgressListener listener;
        private final int total;
        private int done;
        private int lastReported;

        Progress(ProgressListener listener, int total) {
            this.listener = listener;
            this.total = total;
        }

        void frameDone() {
            done++;
            int pct = (int) (done * 95L / total);
            if (pct >= lastReported + 5) {
                lastReported = pct - pct % 5;
                listener.onProgress(lastReported, "Encoded " + done + " of " + total + " frames");
            }
        }
    }

    private static InterruptedException interrupted(Exception cause) {
        InterruptedException ie = new InterruptedException("Generation interrupted");
        ie.initCause(cause);
        return ie;
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
            // best effort; the original failure matters more
        }
    }

    private static long first8Bytes(byte[] b) {
        return ByteBuffer.wrap(b, 0, 8).getLong();
    }
}
