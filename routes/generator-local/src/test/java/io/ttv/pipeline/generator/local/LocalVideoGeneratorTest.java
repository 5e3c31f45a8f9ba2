package io.ttv.pipeline.generator.local;

import io.ttv.pipeline.generator.GenerationException;
import io.ttv.pipeline.generator.GenerationRequest;
import io.ttv.pipeline.generator.ProgressListener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.jcodec.api.FrameGrab;
import org.jcodec.common.Codec;
import org.jcodec.common.DemuxerTrack;
import org.jcodec.common.DemuxerTrackMeta;
import org.jcodec.common.io.NIOUtils;
import org.jcodec.common.io.SeekableByteChannel;
import org.jcodec.common.model.Packet;
import org.jcodec.common.model.Picture;
import org.jcodec.common.model.Size;
import org.jcodec.containers.mp4.MP4Util;
import org.jcodec.containers.mp4.TimeUtil;
import org.jcodec.containers.mp4.boxes.FileTypeBox;
import org.jcodec.containers.mp4.boxes.MediaHeaderBox;
import org.jcodec.containers.mp4.boxes.MovieBox;
import org.jcodec.containers.mp4.boxes.MovieHeaderBox;
import org.jcodec.containers.mp4.boxes.NodeBox;
import org.jcodec.containers.mp4.boxes.TrackHeaderBox;
import org.jcodec.containers.mp4.demuxer.MP4Demuxer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hang (e.g. parsing an unfinished file) must fail, not block the build
class LocalVideoGeneratorTest {

    private static final String PROMPT = "A lighthouse on a cliff at sunset, waves crashing against the rocks";

    @TempDir
    Path dir;

    private final LocalVideoGenerator generator = new LocalVideoGenerator();

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    // ---- (1) valid MP4 / H.264 with the right size and duration ------------------------------------------------

    @Test
    void producesH264Mp4WithRequestedSizeAndDuration() throws Exception {
        Path out = dir.resolve("a.mp4");
        generator.generate(new GenerationRequest("job-1", PROMPT, 2.5, "16:9", 7L), out, null);

        Info info = probe(out);
        assertEquals(Codec.H264, info.codec);
        assertEquals(640, info.width);
        assertEquals(360, info.height);
        assertEquals(60, info.frames);
        assertEquals(2.5, info.durationSeconds, 1e-9);
        assertEquals(24, info.mvhdTimescale); // 1 tick per frame at 24 fps
        assertEquals(60, info.mvhdDuration);
        assertTrue(info.firstPacketIsKey, "first frame must be a key frame");
        assertEquals("isom", info.majorBrand);
        assertEquals("local", generator.name());
    }

    @ParameterizedTest
    @CsvSource({"7.5, 180", "1.0, 24", "1.01, 24", "1.03, 25", "3.333, 80"})
    void frameCountIsRoundedDurationTimes24(double seconds, int expectedFrames) throws Exception {
        Path out = dir.resolve("d.mp4");
        generator.generate(new GenerationRequest("job-d", "duration test", seconds, "1:1", 1L), out, null);

        Info info = probe(out);
        assertEquals(expectedFrames, info.frames);
        assertEquals(expectedFrames / 24.0, info.durationSeconds, 1e-9);
        assertTrue(Math.abs(info.durationSeconds - seconds) <= 0.1 + 1e-9,
                "container duration within 0.1 s of the request");
    }

    /**
     * Decodes frames with JCodec's H.264 decoder and compares them with what the renderer drew, converted to
     * BT.601 limited-range YUV by an independent (floating point) reference here: proves the stream is real,
     * decodable video with the right content and colours.
     */
    @Test
    void decodedFramesMatchTheRenderedTitleCard() throws Exception {
        GenerationRequest req = new GenerationRequest("job-x", PROMPT, 3.0, "9:16", 99L);
        Path out = dir.resolve("x.mp4");
        generator.generate(req, out, null);

        int w = 360;
        int h = 640;
        int frames = LocalVideoGenerator.frameCount(req.durationSeconds());
        long seed = LocalVideoGenerator.renderSeed(req.prompt(), LocalVideoGenerator.effectiveSeed(req));
        try (TitleCardRenderer renderer = new TitleCardRenderer(w, h, frames, 24, req.prompt(), seed);
             SeekableByteChannel ch = NIOUtils.readableChannel(out.toFile())) {
            assertTrue(renderer.textEnabled(), "fonts must be available for this test");
            FrameGrab grab = FrameGrab.createFrameGrab(ch);
            for (int frame : new int[] {0, 47, 48, 71}) { // first IDR, last P of GOP 1, second IDR, later P
                grab.seekToFramePrecise(frame);
                Picture decoded = grab.getNativeFrame();
                renderer.render(frame);
                double[][] expected = referenceYuv(renderer.image());
                for (int plane = 0; plane < 3; plane++) {
                    double mad = meanAbsDiff(expected[plane], decoded, plane, plane == 0 ? w : w / 2,
                            plane == 0 ? h : h / 2);
                    // observed: luma <= 1.6, chroma <= 2.7 (quantisation); broken colour/frames give > 4
                    double limit = plane == 0 ? 2.5 : 4.0;
                    assertTrue(mad < limit, "frame " + frame + " plane " + plane + " mean abs diff " + mad);
                }
            }
            // and the content really changes over time (not a still image)
            renderer.render(0);
            double[] first = referenceYuv(renderer.image())[0];
            renderer.render(frames - 1);
            double[] last = referenceYuv(renderer.image())[0];
            double diff = 0;
            for (int i = 0; i < first.length; i++) {
                diff += Math.abs(first[i] - last[i]);
            }
            assertTrue(diff / first.length > 1.0, "frames should differ over time");
        }
    }

    // ---- (2) determinism ---------------------------------------------------------------------------------------

    @Test
    void sameInputGivesIdenticalBytesAndSeedChangesOutput() throws Exception {
        Path a = dir.resolve("a.mp4");
        Path b = dir.resolve("b.mp4");
        Path c = dir.resolve("c.mp4");
        generator.generate(new GenerationRequest("job-a", PROMPT, 2.0, "16:9", 12345L), a, null);
        generator.generate(new GenerationRequest("job-b", PROMPT, 2.0, "16:9", 12345L), b, null);
        generator.generate(new GenerationRequest("job-c", PROMPT, 2.0, "16:9", 12346L), c, null);

        assertEquals(-1L, Files.mismatch(a, b), "same prompt+seed+duration+aspect must give identical bytes");
        assertNotEquals(-1L, Files.mismatch(a, c), "a different seed must give a different video");
        // identical bytes must not depend on both runs falling into the same wall-clock second
        assertHeaderTimesAreZero(a);
    }

    @Test
    void nullSeedIsDerivedFromPrompt() throws Exception {
        Path a = dir.resolve("a.mp4");
        Path b = dir.resolve("b.mp4");
        Path c = dir.resolve("c.mp4");
        generator.generate(new GenerationRequest("j1", PROMPT, 1.0, "1:1", null), a, null);
        generator.generate(new GenerationRequest("j2", PROMPT, 1.0, "1:1", null), b, null);
        generator.generate(new GenerationRequest("j3", PROMPT + "!", 1.0, "1:1", null), c, null);

        assertEquals(-1L, Files.mismatch(a, b));
        assertNotEquals(-1L, Files.mismatch(a, c));
    }

    @Test
    void parallelEncodingGivesTheSameBytesAsSequential() throws Exception {
        Path seq = dir.resolve("seq.mp4");
        Path par = dir.resolve("par.mp4");
        GenerationRequest req = new GenerationRequest("j", PROMPT, 5.0, "16:9", 3L); // 3 GOPs: 48 + 48 + 24
        new LocalVideoGenerator(1).generate(req, seq, null);
        new LocalVideoGenerator(3).generate(req, par, null);

        assertEquals(-1L, Files.mismatch(seq, par));
        assertEquals(120, probe(par).frames);
    }

    // ---- (3) aspect ratios -------------------------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource({"16:9, 640, 360", "9:16, 360, 640", "1:1, 480, 480"})
    void aspectRatioSelectsFrameSize(String aspect, int width, int height) throws Exception {
        Path out = dir.resolve("ar.mp4");
        generator.generate(new GenerationRequest("job-ar", PROMPT, 1.0, aspect, 5L), out, null);

        Info info = probe(out);
        assertEquals(width, info.width);
        assertEquals(height, info.height);
        assertEquals(Codec.H264, info.codec);
        assertEquals(24, info.frames);
    }

    // ---- (4) interruption --------------------------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource({"1", "2"})
    void interruptionAbortsAndLeavesNoFile(int threads) throws Exception {
        Path out = Files.createFile(dir.resolve("int.mp4")); // as if the caller had created the temp file
        List<Integer> seen = new ArrayList<>();
        ProgressListener interruptAt20 = (p, m) -> {
            seen.add(p);
            if (p >= 20 && p < 100) {
                Thread.currentThread().interrupt();
            }
        };
        try {
            assertThrows(InterruptedException.class, () -> new LocalVideoGenerator(threads)
                    .generate(new GenerationRequest("job-i", PROMPT, 10.0, "16:9", 1L), out, interruptAt20));
        } finally {
            Thread.interrupted(); // never leak the flag into other tests
        }
        assertFalse(Files.exists(out), "partial output must be deleted");
        assertFalse(seen.contains(100), "must not report completion");
        assertTrue(seen.get(seen.size() - 1) < 50, "must stop soon after the interrupt, saw " + seen);
    }

    @Test
    void alreadyInterruptedThreadDoesNotStart() {
        Path out = dir.resolve("pre.mp4");
        Thread.currentThread().interrupt();
        try {
            assertThrows(InterruptedException.class,
                    () -> generator.generate(new GenerationRequest("j", PROMPT, 1.0, "16:9", 1L), out, null));
        } finally {
            Thread.interrupted();
        }
        assertFalse(Files.exists(out));
    }

    // ---- (5) progress ------------------------------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource({"1", "2"})
    void progressIsMonotonicAndEndsAt100AfterTheFileIsComplete(int threads) throws Exception {
        Path out = dir.resolve("p.mp4");
        List<Integer> percents = new ArrayList<>();
        AtomicLong sizeAt100 = new AtomicLong(-1);
        new LocalVideoGenerator(threads).generate(new GenerationRequest("job-p", PROMPT, 4.0, "16:9", 2L), out,
                (p, m) -> {
                    assertTrue(m != null && !m.isBlank());
                    percents.add(p);
                    if (p == 100) {
                        try {
                            sizeAt100.set(Files.size(out));
                            // a complete file: ftyp, mdat and moov boxes that exactly cover the file
                            List<String> boxes = topLevelBoxes(out);
                            assertTrue(boxes.containsAll(List.of("ftyp", "mdat", "moov")),
                                    "file must be complete when 100 is reported: " + boxes);
                        } catch (IOException e) {
                            throw new AssertionError(e);
                        }
                    }
                });

        assertEquals(0, percents.get(0));
        assertEquals(100, percents.get(percents.size() - 1));
        assertEquals(1, percents.stream().filter(p -> p == 100).count());
        for (int i = 1; i < percents.size(); i++) {
            assertTrue(percents.get(i) >= percents.get(i - 1), "not monotonic: " + percents);
            assertTrue(percents.get(i) - percents.get(i - 1) <= 10, "gap too large: " + percents);
        }
        assertTrue(percents.size() >= 15, "expected roughly 5 % steps: " + percents);
        assertEquals(Files.size(out), sizeAt100.get());
    }

    /** The per-frame interruption check itself (independent of FileChannel's own interrupt handling). */
    @Test
    void frameEncoderChecksInterruptionBeforeEveryFrame() {
        List<Integer> encoded = new ArrayList<>();
        try (FrameEncoder encoder = new FrameEncoder(640, 360, 48, 24, 48, PROMPT, 1L)) {
            assertThrows(InterruptedException.class, () -> encoder.encode(0, 48, (i, data, key) -> {
                encoded.add(i);
                if (i == 5) {
                    Thread.currentThread().interrupt();
                }
            }));
        } finally {
            Thread.interrupted();
        }
        assertEquals(List.of(0, 1, 2, 3, 4, 5), encoded);
    }

    // ---- failures ----------------------------------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource(value = {
            "'   ', 5.0, 16:9",
            "NULL, 5.0, 16:9",
            "ok, 0.5, 16:9",
            "ok, 60.5, 16:9",
            "ok, NaN, 16:9",
            "ok, 5.0, 4:3",
            "ok, 5.0, NULL"}, nullValues = "NULL")
    void invalidRequestIsNotRetryableAndLeavesNoFile(String prompt, double seconds, String aspect)
            throws Exception {
        Path out = Files.createFile(dir.resolve("bad.mp4"));
        GenerationException e = assertThrows(GenerationException.class,
                () -> generator.generate(new GenerationRequest("job-bad", prompt, seconds, aspect, 1L), out, null));
        assertFalse(e.isRetryable());
        assertFalse(e.getMessage().isBlank());
        assertFalse(Files.exists(out));
    }

    @Test
    void ioFailureIsRetryable() {
        Path out = dir.resolve("missing-dir").resolve("x.mp4");
        GenerationException e = assertThrows(GenerationException.class,
                () -> generator.generate(new GenerationRequest("job-io", PROMPT, 1.0, "16:9", 1L), out, null));
        assertTrue(e.isRetryable());
        assertTrue(e.getCause() instanceof IOException);
        assertFalse(Files.exists(out));
    }

    @Test
    void longAndOddPromptsRender() throws Exception {
        String longPrompt = "supercalifragilisticexpialidocious".repeat(20) + " " + "word ".repeat(300)
                + "\t\n\u0000 emoji \uD83C\uDF05 and CJK \u5149";
        Path out = dir.resolve("long.mp4");
        generator.generate(new GenerationRequest("job-l", longPrompt, 1.0, "9:16", 1L), out, null);
        assertEquals(24, probe(out).frames);
    }

    @Test
    void wrapKeepsLinesWithinWidth() {
        try (TitleCardRenderer r = new TitleCardRenderer(640, 360, 24, 24, "x", 1L)) {
            var fm = r.image().createGraphics().getFontMetrics(new java.awt.Font(java.awt.Font.SANS_SERIF,
                    java.awt.Font.BOLD, 30));
            List<String> lines = TitleCardRenderer.wrap("a " + "W".repeat(100) + " b c", fm, 300);
            assertTrue(lines.size() > 2);
            for (String line : lines) {
                assertTrue(fm.stringWidth(line) <= 300, line);
            }
            assertEquals("a", lines.get(0));
            assertEquals("a" + "W".repeat(100) + "bc", String.join("", lines).replace(" ", ""));
        }
        assertEquals("a b c", TitleCardRenderer.sanitize("  a\n\tb \u0007 c  "));
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private record Info(Codec codec, int width, int height, int frames, double durationSeconds, int mvhdTimescale,
                        long mvhdDuration, boolean firstPacketIsKey, String majorBrand) {
    }

    private static Info probe(Path file) throws IOException {
        try (SeekableByteChannel ch = NIOUtils.readableChannel(file.toFile())) {
            MP4Demuxer demuxer = MP4Demuxer.createMP4Demuxer(ch);
            List<DemuxerTrack> video = demuxer.getVideoTracks();
            assertEquals(1, video.size(), "exactly one video track");
            assertEquals(0, demuxer.getAudioTracks().size());
            DemuxerTrack track = video.get(0);
            DemuxerTrackMeta meta = track.getMeta();
            Size size = meta.getVideoCodecMeta().getSize();
            MovieHeaderBox mvhd = NodeBox.findFirst(demuxer.getMovie(), MovieHeaderBox.class, "mvhd");
            Packet first = track.nextFrame();
            ch.setPosition(0);
            FileTypeBox ftyp = MP4Util.parseFullMovieChannel(ch).getFtyp();
            return new Info(meta.getCodec(), size.getWidth(), size.getHeight(), meta.getTotalFrames(),
                    meta.getTotalDuration(), mvhd.getTimescale(), mvhd.getDuration(),
                    first != null && first.isKeyFrame(), ftyp.getMajorBrand());
        }
    }

    /** Scans the top-level MP4 boxes; fails if they do not exactly tile the file (e.g. truncated/unfinished). */
    private static List<String> topLevelBoxes(Path file) throws IOException {
        List<String> names = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(file)) {
            long size = ch.size();
            long pos = 0;
            ByteBuffer hdr = ByteBuffer.allocate(16);
            while (pos < size) {
                hdr.clear().limit(8);
                ch.read(hdr, pos);
                hdr.flip();
                long boxSize = hdr.getInt() & 0xffffffffL;
                byte[] type = new byte[4];
                hdr.get(type);
                if (boxSize == 1) {
                    hdr.clear().limit(8);
                    ch.read(hdr, pos + 8);
                    hdr.flip();
                    boxSize = hdr.getLong();
                }
                assertTrue(boxSize >= 8 && pos + boxSize <= size,
                        "bad box " + new String(type, StandardCharsets.US_ASCII) + " size " + boxSize + " at " + pos);
                names.add(new String(type, StandardCharsets.US_ASCII));
                pos += boxSize;
            }
        }
        return names;
    }

    private static void assertHeaderTimesAreZero(Path file) throws IOException {
        try (SeekableByteChannel ch = NIOUtils.readableChannel(file.toFile())) {
            MovieBox movie = MP4Util.parseMovieChannel(ch);
            long zero = TimeUtil.MOV_TIME_OFFSET; // MOV time 0 (1904-01-01) in Java millis
            MovieHeaderBox mvhd = NodeBox.findFirst(movie, MovieHeaderBox.class, "mvhd");
            assertEquals(zero, mvhd.getCreated());
            assertEquals(zero, mvhd.getModified());
            for (TrackHeaderBox tkhd : NodeBox.findDeep(movie, TrackHeaderBox.class, "tkhd")) {
                assertEquals(zero, tkhd.getCreated());
                assertEquals(zero, tkhd.getModified());
            }
            MediaHeaderBox[] mdhds = NodeBox.findDeep(movie, MediaHeaderBox.class, "mdhd");
            assertTrue(mdhds.length > 0);
            for (MediaHeaderBox mdhd : mdhds) {
                assertEquals(zero, mdhd.getCreated());
                assertEquals(zero, mdhd.getModified());
            }
        }
    }

    /** Independent RGB -> YUV 4:2:0 (BT.601, limited range, 0..255 values) reference using getRGB(). */
    private static double[][] referenceYuv(java.awt.image.BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        double[] y = new double[w * h];
        double[] u = new double[(w / 2) * (h / 2)];
        double[] v = new double[(w / 2) * (h / 2)];
        for (int j = 0; j < h; j++) {
            for (int i = 0; i < w; i++) {
                int rgb = img.getRGB(i, j);
                double r = (rgb >> 16) & 0xff;
                double g = (rgb >> 8) & 0xff;
                double b = rgb & 0xff;
                y[j * w + i] = 16 + 0.256788 * r + 0.504129 * g + 0.097906 * b;
                int c = (j / 2) * (w / 2) + i / 2;
                u[c] += (128 + -0.148223 * r - 0.290993 * g + 0.439216 * b) / 4;
                v[c] += (128 + 0.439216 * r - 0.367788 * g - 0.071427 * b) / 4;
            }
        }
        return new double[][] {y, u, v};
    }

    /** Mean absolute difference over the visible area of one plane; tolerates padded decoder output. */
    private static double meanAbsDiff(double[] expected, Picture decoded, int plane, int width, int height) {
        byte[] data = decoded.getPlaneData(plane);
        int stride = decoded.getPlaneWidth(plane);
        double sum = 0;
        for (int j = 0; j < height; j++) {
            for (int i = 0; i < width; i++) {
                sum += Math.abs(expected[j * width + i] - (data[j * stride + i] + 128));
            }
        }
        return sum / (width * height);
    }
}
