package io.ttv.pipeline.generator;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.List;

import org.jcodec.codecs.h264.H264Encoder;
import org.jcodec.common.Codec;
import org.jcodec.common.MuxerTrack;
import org.jcodec.common.VideoCodecMeta;
import org.jcodec.common.VideoEncoder.EncodedFrame;
import org.jcodec.common.io.FileChannelWrapper;
import org.jcodec.common.model.ColorSpace;
import org.jcodec.common.model.Packet;
import org.jcodec.common.model.Packet.FrameType;
import org.jcodec.common.model.Picture;
import org.jcodec.common.model.Size;
import org.jcodec.containers.mp4.TimeUtil;
import org.jcodec.containers.mp4.boxes.Box;
import org.jcodec.containers.mp4.boxes.MediaHeaderBox;
import org.jcodec.containers.mp4.boxes.MovieBox;
import org.jcodec.containers.mp4.boxes.MovieHeaderBox;
import org.jcodec.containers.mp4.boxes.NodeBox;
import org.jcodec.containers.mp4.boxes.TrackHeaderBox;
import org.jcodec.containers.mp4.muxer.MP4Muxer;

/**
 * Encodes {@code TYPE_3BYTE_BGR} frames to H.264 (JCodec's baseline encoder) and muxes them into an MP4 file with a
 * constant frame rate.
 *
 * <p>Uses JCodec's lower-level API instead of {@code SequenceEncoder}/{@code AWTSequenceEncoder}:
 * <ul>
 *   <li>colour conversion is done here directly from the image's byte raster (BT.601, limited range — which is what
 *   players assume for an H.264 stream without VUI colour info) instead of {@code getRGB()} per pixel plus a second
 *   RGB&rarr;YUV pass;</li>
 *   <li>the muxer's header is finalised here so that the creation/modification times, which JCodec fills with the
 *   wall clock in {@code mvhd}, {@code tkhd} and {@code mdhd}, are set to 0 (1904-01-01, "unknown"), making the
 *   output byte-for-byte reproducible.</li>
 * </ul>
 * Not thread-safe. Frames are written to the channel as they are encoded (one chunk per frame); only the sample
 * tables are kept in memory.
 */
final class H264Mp4Writer {

    /** Millisecond value that JCodec's {@link TimeUtil#toMovTime(long)} turns into 0. */
    private static final long MOV_EPOCH_MILLIS = TimeUtil.MOV_TIME_OFFSET;
    private static final int[] IDENTITY_MATRIX = {0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000};

    private final int width;
    private final int height;
    private final int fps;
    private final H264Encoder encoder;
    private final MP4Muxer muxer;
    private final MuxerTrack track;
    private final Picture yuv;
    private final ByteBuffer encodeBuffer;
    private int frameNo;

    /**
     * @param channel     an open, empty, writable channel; the caller keeps ownership (closes it)
     * @param keyInterval distance between IDR frames, in frames
     */
    H264Mp4Writer(FileChannel channel, int width, int height, int fps, int keyInterval) throws IOException {
        if (width <= 0 || height <= 0 || (width & 1) != 0 || (height & 1) != 0) {
            throw new IllegalArgumentException("Frame size must be positive and even: " + width + "x" + height);
        }
        this.width = width;
        this.height = height;
        this.fps = fps;
        this.encoder = H264Encoder.createH264Encoder();
        encoder.setKeyInterval(keyInterval);
        this.muxer = MP4Muxer.createMP4MuxerToChannel(new FileChannelWrapper(channel));
        this.track = muxer.addVideoTrack(Codec.H264,
                VideoCodecMeta.createSimpleVideoCodecMeta(new Size(width, height), ColorSpace.YUV420J));
        this.yuv = Picture.create(width, height, ColorSpace.YUV420J);
        // The encoder's rate control caps a frame at min(buffer, w*h) bytes; leave generous headroom on top.
        this.encodeBuffer = ByteBuffer.allocate(width * height * 3 / 2 + (1 << 16));
    }

    /** Encodes one frame; {@code image} must be {@code TYPE_3BYTE_BGR} of the writer's size. */
    void writeFrame(BufferedImage image) throws IOException {
        if (image.getType() != BufferedImage.TYPE_3BYTE_BGR || image.getWidth() != width
                || image.getHeight() != height) {
            throw new IllegalArgumentException("Expected a " + width + "x" + height + " TYPE_3BYTE_BGR image");
        }
        byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        bgrToYuv420(bgr, width, height, yuv);
        encodeBuffer.clear();
        EncodedFrame ef = encoder.encodeFrame(yuv, encodeBuffer);
        // The MP4 track copies the data (Annex B -> length-prefixed) before returning, so the buffer can be reused.
        Packet pkt = Packet.createPacket(ef.getData(), frameNo, fps, 1, frameNo,
                ef.isKeyFrame() ? FrameType.KEY : FrameType.INTER, null);
        track.addFrame(pkt);
        frameNo++;
    }

    int framesWritten() {
        return frameNo;
    }

    /** Writes the {@code moov} header with fixed timestamps. The channel must be closed by the caller afterwards. */
    void finish() throws IOException {
        if (frameNo == 0) {
            throw new IllegalStateException("No frames written");
        }
        MovieBox movie = muxer.finalizeHeader();
        zeroTimestamps(movie);
        muxer.storeHeader(movie);
    }

    /** Replaces mvhd/tkhd/mdhd with copies whose creation/modification times are 0, keeping their position. */
    static void zeroTimestamps(NodeBox node) {
        List<Box> boxes = node.getBoxes();
        for (int i = 0; i < boxes.size(); i++) {
            Box b = boxes.get(i);
            if (b instanceof MovieHeaderBox m) {
                MovieHeaderBox copy = MovieHeaderBox.createMovieHeaderBox(m.getTimescale(), m.getDuration(),
                        m.getRate(), m.getVolume(), MOV_EPOCH_MILLIS, MOV_EPOCH_MILLIS,
                        m.getMatrix() != null ? m.getMatrix() : IDENTITY_MATRIX, m.getNextTrackId());
                copy.setFlags(m.getFlags());
                copy.setVersion(m.getVersion());
                boxes.set(i, copy);
            } else if (b instanceof TrackHeaderBox t) {
                TrackHeaderBox copy = TrackHeaderBox.createTrackHeaderBox(t.getTrackId(), t.getDuration(),
                        t.getWidth(), t.getHeight(), MOV_EPOCH_MILLIS, MOV_EPOCH_MILLIS, t.getVolume(), t.getLayer(),
                        t.getAltGroup(), t.getMatrix() != null ? t.getMatrix() : IDENTITY_MATRIX);
                copy.setFlags(t.getFlags());
                copy.setVersion(t.getVersion());
                boxes.set(i, copy);
            } else if (b instanceof MediaHeaderBox md) {
                MediaHeaderBox copy = MediaHeaderBox.createMediaHeaderBox(md.getTimescale(), md.getDuration(),
                        md.getLanguage(), MOV_EPOCH_MILLIS, MOV_EPOCH_MILLIS, md.getQuality());
                copy.setFlags(md.getFlags());
                copy.setVersion(md.getVersion());
                boxes.set(i, copy);
            } else if (b instanceof NodeBox child) {
                zeroTimestamps(child);
            }
        }
    }

    /**
     * BGR (interleaved, no padding) to planar 4:2:0, ITU-R BT.601 limited range, written in JCodec's signed
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
