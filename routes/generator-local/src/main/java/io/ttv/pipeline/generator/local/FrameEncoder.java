package io.ttv.pipeline.generator.local;

import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.ByteBuffer;

import org.jcodec.codecs.h264.H264Encoder;
import org.jcodec.common.VideoEncoder.EncodedFrame;
import org.jcodec.common.model.ColorSpace;
import org.jcodec.common.model.Picture;

/**
 * Renders title-card frames and encodes them to H.264 Annex B access units (JCodec's baseline encoder).
 *
 * <p>Holds one reusable image, one YUV picture and one output buffer. Frames are encoded in GOP-aligned ranges, each
 * started with a fresh encoder: JCodec's encoder carries no state across an IDR frame, so encoding a video as one
 * range or as several GOP-aligned ranges yields identical bytes. Not thread-safe; use one instance per thread.
 */
final class FrameEncoder implements AutoCloseable {

    /**
     * JCodec's motion search keeps stepping while the cost does not increase, i.e. it wanders the full range over
     * flat areas (most of a gradient title card). With range 0 (zero motion vectors, residual only) encoding is
     * about twice as fast; for this content size and quality stay the same (measured at range 16 vs 0: PSNR
     * 34.7 vs 34.9 dB, file size within +-5 %).
     */
    static final int MOTION_SEARCH_RANGE = 0;

    /** Receives encoded frames in order. {@code annexB} is only valid during the call. */
    @FunctionalInterface
    interface FrameConsumer {
        void accept(int frameIndex, ByteBuffer annexB, boolean keyFrame) throws IOException;
    }

    private final int width;
    private final int height;
    private final int keyInterval;
    private final TitleCardRenderer renderer;
    private final Picture yuv;
    private final ByteBuffer buffer;

    FrameEncoder(int width, int height, int frameCount, int fps, int keyInterval, String prompt, long seed) {
        if (width <= 0 || height <= 0 || (width & 1) != 0 || (height & 1) != 0) {
            throw new IllegalArgumentException("Frame size must be positive and even: " + width + "x" + height);
        }
        this.width = width;
        this.height = height;
        this.keyInterval = keyInterval;
        this.renderer = new TitleCardRenderer(width, height, frameCount, fps, prompt, seed);
        this.yuv = Picture.create(width, height, ColorSpace.YUV420J);
        // The encoder's rate control caps a frame at min(buffer, w*h) bytes; leave generous headroom on top.
        this.buffer = ByteBuffer.allocate(width * height * 3 / 2 + (1 << 16));
    }

    /**
     * Renders and encodes frames {@code [from, to)}; {@code from} must be a multiple of the key interval so the
     * range starts with an IDR frame. Checks for interruption before every frame.
     */
    void encode(int from, int to, FrameConsumer out) throws IOException, InterruptedException {
        if (from % keyInterval != 0) {
            throw new IllegalArgumentException("Range must start on a key frame: " + from);
        }
        H264Encoder encoder = H264Encoder.createH264Encoder();
        encoder.setKeyInterval(keyInterval);
        encoder.setMotionSearchRange(MOTION_SEARCH_RANGE);
        byte[] bgr = ((DataBufferByte) renderer.image().getRaster().getDataBuffer()).getData();
        for (int i = from; i < to; i++) {
            if (Thread.interrupted()) {
                throw new InterruptedException("Generation interrupted");
            }
            renderer.render(i);
            bgrToYuv420(bgr, width, height, yuv);
            buffer.clear();
            EncodedFrame ef = encoder.encodeFrame(yuv, buffer);
            out.accept(i, ef.getData(), ef.isKeyFrame());
        }
    }

    @Override
    public void close() {
        renderer.close();
    }

    /**
     * BGR (interleaved, no row padding, as in a {@code TYPE_3BYTE_BGR} raster) to planar 4:2:0, ITU-R BT.601 limited
     * range — what players assume for an H.264 stream without VUI colour information — written in JCodec's signed
     * representation (sample - 128). Chroma is computed from the 2x2 average. Width and height must be even.
     */
    static void bgrToYuv420(byte[] bgr, int width, int height, Picture dst) {
        byte[] yP = dst.getPlaneData(0);
        byte[] uP = dst.getPlaneData(1);
        byte[] vP = dst.getPlaneData(2);
        int stride = width * 3;
        int cw = width >> 1;
        for (int y = 0; y < height; y += 2) {
            int row0 = y * stride;
            int row1 = row0 + stride;
            int yOff0 = y * width;
            int yOff1 = yOff0 + width;
            int cOff = (y >> 1) * cw;
            for (int x = 0; x < width; x += 2) {
                int p = row0 + x * 3;
                int b00 = bgr[p] & 0xff, g00 = bgr[p + 1] & 0xff, r00 = bgr[p + 2] & 0xff;
                int b01 = bgr[p + 3] & 0xff, g01 = bgr[p + 4] & 0xff, r01 = bgr[p + 5] & 0xff;
                int q = row1 + x * 3;
                int b10 = bgr[q] & 0xff, g10 = bgr[q + 1] & 0xff, r10 = bgr[q + 2] & 0xff;
                int b11 = bgr[q + 3] & 0xff, g11 = bgr[q + 4] & 0xff, r11 = bgr[q + 5] & 0xff;

                // Y = 16 + (66R + 129G + 25B) / 256 ; stored as Y - 128
                yP[yOff0 + x] = (byte) (((66 * r00 + 129 * g00 + 25 * b00 + 128) >> 8) - 112);
                yP[yOff0 + x + 1] = (byte) (((66 * r01 + 129 * g01 + 25 * b01 + 128) >> 8) - 112);
                yP[yOff1 + x] = (byte) (((66 * r10 + 129 * g10 + 25 * b10 + 128) >> 8) - 112);
                yP[yOff1 + x + 1] = (byte) (((66 * r11 + 129 * g11 + 25 * b11 + 128) >> 8) - 112);

                int rs = r00 + r01 + r10 + r11;
                int gs = g00 + g01 + g10 + g11;
                int bs = b00 + b01 + b10 + b11;
                // U = 128 + (-38R - 74G + 112B) / 256, V = 128 + (112R - 94G - 18B) / 256 ; stored as value - 128
                uP[cOff + (x >> 1)] = (byte) ((-38 * rs - 74 * gs + 112 * bs + 512) >> 10);
                vP[cOff + (x >> 1)] = (byte) ((112 * rs - 94 * gs - 18 * bs + 512) >> 10);
            }
        }
    }
}
