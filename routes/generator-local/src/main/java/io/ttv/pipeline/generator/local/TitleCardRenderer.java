package io.ttv.pipeline.generator.local;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Draws the frames of an animated title card into one reused {@link BufferedImage} ({@code TYPE_3BYTE_BGR}).
 *
 * <p>Everything that varies (palette, gradient motion, floating shapes) is derived from a 64-bit seed through
 * {@link SplittableRandom} and {@link StrictMath}, so a given (prompt, seed, size, frame count) always produces the
 * same pixels on the same JVM/font installation. Not thread-safe; one instance per generation.
 */
final class TitleCardRenderer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(TitleCardRenderer.class.getName());
    private static final AtomicBoolean FONT_WARNING_LOGGED = new AtomicBoolean();

    /** Longest prompt (in code points) that is drawn; longer prompts are cut with an ellipsis. */
    static final int MAX_DRAWN_CODE_POINTS = 400;

    private static final int SHAPE_COUNT = 7;
    private static final double TWO_PI = 2 * StrictMath.PI;

    private final int width;
    private final int height;
    private final int frameCount;
    private final double fps;
    private final BufferedImage image;
    private final Graphics2D g;

    // palette + motion parameters
    private final float hueA;
    private final float hueB;
    private final float satA;
    private final float satB;
    private final float briA;
    private final float briB;
    private final double hueDriftPhase;
    private final double angle0;
    private final double angularSpeed;
    private final Shape[] shapes;

    // text layout, computed once
    private final boolean textEnabled;
    private final Font titleFont;
    private final List<String> lines;
    private final int[] lineX;
    private final int[] lineBaseline;
    private final Font smallFont;
    private final String totalTime;

    private record Shape(double cx, double cy, double ax, double ay, double wx, double wy, double px, double py,
                         double radius, Color color) {
    }

    TitleCardRenderer(int width, int height, int frameCount, double fps, String prompt, long seed) {
        this.width = width;
        this.height = height;
        this.frameCount = frameCount;
        this.fps = fps;
        this.image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        this.g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);

        SplittableRandom rnd = new SplittableRandom(seed);
        hueA = (float) rnd.nextDouble();
        hueB = (float) ((hueA + 0.18 + rnd.nextDouble() * 0.32) % 1.0);
        satA = (float) (0.55 + rnd.nextDouble() * 0.35);
        satB = (float) (0.45 + rnd.nextDouble() * 0.45);
        briA = (float) (0.30 + rnd.nextDouble() * 0.25);
        briB = (float) (0.45 + rnd.nextDouble() * 0.30);
        hueDriftPhase = rnd.nextDouble() * TWO_PI;
        angle0 = rnd.nextDouble() * TWO_PI;
        angularSpeed = (rnd.nextBoolean() ? 1 : -1) * (0.15 + rnd.nextDouble() * 0.25); // rad/s

        int minDim = Math.min(width, height);
        shapes = new Shape[SHAPE_COUNT];
        for (int i = 0; i < SHAPE_COUNT; i++) {
            float hue = (float) ((hueB + 0.5 + (rnd.nextDouble() - 0.5) * 0.2) % 1.0);
            Color base = Color.getHSBColor(hue, (float) (0.2 + rnd.nextDouble() * 0.4), 1f);
            int alpha = 28 + rnd.nextInt(40);
            shapes[i] = new Shape(
                    width * (0.1 + 0.8 * rnd.nextDouble()),
                    height * (0.1 + 0.8 * rnd.nextDouble()),
                    width * (0.05 + 0.2 * rnd.nextDouble()),
                    height * (0.05 + 0.2 * rnd.nextDouble()),
                    TWO_PI * (0.04 + 0.16 * rnd.nextDouble()),
                    TWO_PI * (0.04 + 0.16 * rnd.nextDouble()),
                    rnd.nextDouble() * TWO_PI,
                    rnd.nextDouble() * TWO_PI,
                    minDim * (0.05 + 0.15 * rnd.nextDouble()),
                    new Color(base.getRed(), base.getGreen(), base.getBlue(), alpha));
        }

        totalTime = formatTime(frameCount / fps);

        // Text layout. A JVM without a usable font configuration throws from the font subsystem (often an Error);
        // we then render the card without text rather than failing the job.
        boolean ok;
        Font tf = null;
        Font sf = null;
        List<String> ls = List.of();
        int[] xs = new int[0];
        int[] ys = new int[0];
        try {
            String text = sanitize(prompt);
            int maxW = (int) (width * 0.84);
            int maxH = (int) (height * 0.56);
            int size = Math.max(14, Math.round(minDim * 0.105f));
            while (true) {
                tf = new Font(Font.SANS_SERIF, Font.BOLD, size);
                FontMetrics fm = g.getFontMetrics(tf);
                int lineH = fm.getHeight();
                int maxLines = Math.max(1, maxH / lineH);
                List<String> wrapped = wrap(text, fm, maxW);
                if (wrapped.size() <= maxLines || size <= 14) {
                    if (wrapped.size() > maxLines) {
                        wrapped = new ArrayList<>(wrapped.subList(0, maxLines));
                        wrapped.set(maxLines - 1, ellipsize(wrapped.get(maxLines - 1), fm, maxW));
                    }
                    ls = List.copyOf(wrapped);
                    xs = new int[ls.size()];
                    ys = new int[ls.size()];
                    int blockH = lineH * ls.size();
                    int top = (height - blockH) / 2 - height / 30;
                    for (int i = 0; i < ls.size(); i++) {
                        xs[i] = (width - fm.stringWidth(ls.get(i))) / 2;
                        ys[i] = top + i * lineH + fm.getAscent();
                    }
                    break;
                }
                size -= 2;
            }
            sf = new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(10, Math.round(minDim * 0.035f)));
            g.getFontMetrics(sf);
            ok = true;
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError) {
                throw e; // out of memory etc. is not a font problem
            }
            if (FONT_WARNING_LOGGED.compareAndSet(false, true)) {
                LOG.log(System.Logger.Level.WARNING,
                        "Font rendering unavailable (install fontconfig and a font, e.g. fonts-dejavu-core); "
                                + "rendering title cards without text", e);
            } else {
                LOG.log(System.Logger.Level.DEBUG, "Font rendering unavailable: " + e);
            }
            ok = false;
        }
        textEnabled = ok;
        titleFont = tf;
        smallFont = sf;
        lines = ls;
        lineX = xs;
        lineBaseline = ys;
    }

    BufferedImage image() {
        return image;
    }

    boolean textEnabled() {
        return textEnabled;
    }

    List<String> lines() {
        return lines;
    }

    /** Draws frame {@code index} (0-based) into {@link #image()}. */
    void render(int index) {
        double t = index / fps;

        // 1. rotating two-colour gradient with a slowly drifting hue
        double drift = 0.035 * StrictMath.sin(TWO_PI * t / 9.0 + hueDriftPhase);
        Color c1 = Color.getHSBColor(wrapHue(hueA + drift), satA, briA);
        Color c2 = Color.getHSBColor(wrapHue(hueB - drift), satB, briB);
        double angle = angle0 + angularSpeed * t;
        double r = 0.5 * StrictMath.hypot(width, height);
        float dx = (float) (StrictMath.cos(angle) * r);
        float dy = (float) (StrictMath.sin(angle) * r);
        float cx = width / 2f;
        float cy = height / 2f;
        g.setPaint(new GradientPaint(cx - dx, cy - dy, c1, cx + dx, cy + dy, c2));
        g.fillRect(0, 0, width, height);

        // 2. translucent floating discs (Lissajous paths)
        Ellipse2D.Double disc = new Ellipse2D.Double();
        for (Shape s : shapes) {
            double x = s.cx + s.ax * StrictMath.sin(s.wx * t + s.px);
            double y = s.cy + s.ay * StrictMath.sin(s.wy * t + s.py);
            double rad = s.radius * (1 + 0.15 * StrictMath.sin(s.wx * 1.7 * t + s.py));
            disc.setFrame(x - rad, y - rad, 2 * rad, 2 * rad);
            g.setColor(s.color);
            g.fill(disc);
        }

        // 3. prompt text, fading in over the first half second
        if (textEnabled) {
            int fadeFrames = Math.max(1, Math.min(frameCount / 4, (int) StrictMath.round(fps / 2)));
            float fade = Math.min(1f, (index + 1) / (float) fadeFrames);
            g.setFont(titleFont);
            int shadow = Math.max(1, height / 180);
            g.setColor(new Color(0, 0, 0, Math.round(110 * fade)));
            for (int i = 0; i < lines.size(); i++) {
                g.drawString(lines.get(i), lineX[i] + shadow, lineBaseline[i] + shadow);
            }
            g.setColor(new Color(255, 255, 255, Math.round(255 * fade)));
            for (int i = 0; i < lines.size(); i++) {
                g.drawString(lines.get(i), lineX[i], lineBaseline[i]);
            }
        }

        // 4. progress bar + timecode
        int minDim = Math.min(width, height);
        int margin = Math.max(8, minDim / 16);
        int barH = Math.max(4, minDim / 90);
        int barW = width - 2 * margin;
        int barY = height - margin - barH;
        double progress = (index + 1) / (double) frameCount;
        RoundRectangle2D.Double bar = new RoundRectangle2D.Double(margin, barY, barW, barH, barH, barH);
        g.setColor(new Color(255, 255, 255, 60));
        g.fill(bar);
        bar.width = Math.max(barH, barW * progress);
        g.setColor(new Color(255, 255, 255, 210));
        g.fill(bar);
        // a small marker that travels with the bar head
        g.setStroke(new BasicStroke(Math.max(1f, barH / 3f)));
        double headX = margin + bar.width;
        disc.setFrame(headX - barH * 1.2, barY + barH / 2.0 - barH * 1.2, barH * 2.4, barH * 2.4);
        g.fill(disc);
        if (textEnabled) {
            g.setFont(smallFont);
            String tc = formatTime(t) + " / " + totalTime;
            FontMetrics fm = g.getFontMetrics();
            g.setColor(new Color(255, 255, 255, 190));
            g.drawString(tc, width - margin - fm.stringWidth(tc), barY - barH - fm.getDescent());
        }
    }

    @Override
    public void close() {
        g.dispose();
    }

    // ---------------------------------------------------------------------------------------------------------

    private static float wrapHue(double h) {
        double x = h % 1.0;
        return (float) (x < 0 ? x + 1 : x);
    }

    static String formatTime(double seconds) {
        int s = (int) StrictMath.floor(seconds + 1e-9);
        return (s / 60) + ":" + (s % 60 < 10 ? "0" : "") + (s % 60);
    }

    /** Collapses whitespace, drops control characters and limits the length. */
    static String sanitize(String prompt) {
        StringBuilder sb = new StringBuilder();
        boolean pendingSpace = false;
        int count = 0;
        int i = 0;
        while (i < prompt.length()) {
            int cp = prompt.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                pendingSpace = sb.length() > 0;
                continue;
            }
            if (Character.isISOControl(cp) || Character.getType(cp) == Character.FORMAT) {
                continue;
            }
            if (count >= MAX_DRAWN_CODE_POINTS) {
                sb.append('\u2026');
                break;
            }
            if (pendingSpace) {
                sb.append(' ');
                pendingSpace = false;
            }
            sb.appendCodePoint(cp);
            count++;
        }
        return sb.toString();
    }

    /** Greedy word wrap; words wider than {@code maxWidth} are broken between code points. */
    static List<String> wrap(String text, FontMetrics fm, int maxWidth) {
        List<String> out = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (word.isEmpty()) {
                continue;
            }
            String candidate = line.length() == 0 ? word : line + " " + word;
            if (fm.stringWidth(candidate) <= maxWidth) {
                line.setLength(0);
                line.append(candidate);
                continue;
            }
            if (line.length() > 0) {
                out.add(line.toString());
                line.setLength(0);
            }
            // word alone may still be too wide: hard-break it
            String rest = word;
            while (fm.stringWidth(rest) > maxWidth) {
                int cut = 0;
                int next = rest.offsetByCodePoints(0, 1);
                while (next <= rest.length() && fm.stringWidth(rest.substring(0, next)) <= maxWidth) {
                    cut = next;
                    if (next == rest.length()) {
                        break;
                    }
                    next = rest.offsetByCodePoints(next, 1);
                }
                if (cut == 0) {
                    cut = rest.offsetByCodePoints(0, 1); // a single glyph wider than the line: emit it anyway
                }
                out.add(rest.substring(0, cut));
                rest = rest.substring(cut);
            }
            line.append(rest);
        }
        if (line.length() > 0) {
            out.add(line.toString());
        }
        return out;
    }

    private static String ellipsize(String line, FontMetrics fm, int maxWidth) {
        String s = line;
        while (!s.isEmpty() && fm.stringWidth(s + "\u2026") > maxWidth) {
            s = s.substring(0, s.offsetByCodePoints(s.length(), -1)).stripTrailing();
        }
        return s + "\u2026";
    }
}
