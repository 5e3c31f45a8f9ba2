package io.ttv.pipeline.generator.local;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.List;

import org.jcodec.common.Codec;
import org.jcodec.common.MuxerTrack;
import org.jcodec.common.VideoCodecMeta;
import org.jcodec.common.io.FileChannelWrapper;
import org.jcodec.common.model.ColorSpace;
import org.jcodec.common.model.Packet;
import org.jcodec.common.model.Packet.FrameType;
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
 * Muxes H.264 Annex B access units into an MP4 file (brand {@code isom}) at a constant frame rate, using JCodec's
 * {@link MP4Muxer} directly rather than {@code SequenceEncoder}.
 *
 * <p>JCodec writes the wall-clock time into the creation/modification fields of {@code mvhd}, {@code tkhd} and
 * {@code mdhd}. {@link #finish()} therefore finalises the header itself and replaces those three boxes with copies
 * whose times are 0 (1904-01-01, i.e. "unknown"; ffprobe then shows no {@code creation_time}), so the file is
 * byte-for-byte reproducible.
 *
 * <p>Each frame is written to the channel as it arrives (one chunk per frame); only the sample tables stay in memory.
 * Not thread-safe.
 */
final class H264Mp4Writer {

    /** Millisecond value that JCodec's {@link TimeUtil#toMovTime(long)} turns into 0. */
    private static final long MOV_EPOCH_MILLIS = TimeUtil.MOV_TIME_OFFSET;
    private static final int[] IDENTITY_MATRIX = {0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000};

    private final int fps;
    private final MP4Muxer muxer;
    private final MuxerTrack track;
    private int frameNo;

    /** @param channel an open, empty, writable channel; the caller keeps ownership (closes it) */
    H264Mp4Writer(FileChannel channel, int width, int height, int fps) throws IOException {
        this.fps = fps;
        this.muxer = MP4Muxer.createMP4MuxerToChannel(new FileChannelWrapper(channel));
        this.track = muxer.addVideoTrack(Codec.H264,
                VideoCodecMeta.createSimpleVideoCodecMeta(new Size(width, height), ColorSpace.YUV420J));
    }

    /**
     * Appends the next frame (frames must arrive in display order; there are no B-frames). The data is copied
     * (converted to length-prefixed NAL units) before this returns, so the caller may reuse the buffer.
     */
    void writeFrame(ByteBuffer annexB, boolean keyFrame) throws IOException {
        Packet pkt = Packet.createPacket(annexB, frameNo, fps, 1, frameNo,
                keyFrame ? FrameType.KEY : FrameType.INTER, null);
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
}
