package dev.puna.runtime.vision;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * The Java side of image decoding: header dimensions for every format (ImageIO readers read only the header for
 * them), and the full decode of WebP, which llama.cpp's stb_image lacks (TwelveMonkeys' ImageIO plugin,
 * {@code com.twelvemonkeys.imageio:imageio-webp}, registered through ImageIO's service lookup). Streams are
 * memory-backed so ImageIO never writes a cache file.
 */
final class JavaImageCodec {
    private JavaImageCodec() {
    }

    /** {@code {width, height}} of the first image in {@code bytes} (for GIF, at least its logical screen's). */
    static int[] dimensions(byte[] bytes, ImageFormat format) {
        ImageReader reader = reader(format);
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            try {
                reader.setInput(in, true, true);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                if (format == ImageFormat.GIF && bytes.length >= 10) {
                    // stb_image allocates the GIF's logical screen, not the first frame: a tiny frame on a huge
                    // screen is a decompression bomb, so the screen's size (little-endian at 6 and 8) counts.
                    width = Math.max(width, (bytes[6] & 0xFF) | (bytes[7] & 0xFF) << 8);
                    height = Math.max(height, (bytes[8] & 0xFF) | (bytes[9] & 0xFF) << 8);
                }
                return new int[] {width, height};
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw corrupt(format, e);
        }
    }

    /**
     * Decodes the first frame to packed RGB ({@code width * height * 3} bytes, rows top to bottom), dropping any
     * alpha channel the way stb_image does when asked for three channels.
     */
    static Rgb decodeRgb(byte[] bytes, ImageFormat format) {
        BufferedImage image;
        ImageReader reader = reader(format);
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            try {
                reader.setInput(in, true, true);
                image = reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw corrupt(format, e);
        }
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] rgb = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int p = row[x];
                int o = (y * w + x) * 3;
                rgb[o] = (byte) (p >> 16);
                rgb[o + 1] = (byte) (p >> 8);
                rgb[o + 2] = (byte) p;
            }
        }
        return new Rgb(w, h, rgb);
    }

    /** Decoded pixels. */
    record Rgb(int width, int height, byte[] pixels) {
    }

    private static ImageReader reader(ImageFormat format) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.name().toLowerCase(Locale.ROOT));
        if (!readers.hasNext()) {
            throw new IllegalStateException("no ImageIO reader for " + format + " on the class path"
                    + (format == ImageFormat.WEBP ? " (com.twelvemonkeys.imageio:imageio-webp)" : ""));
        }
        return readers.next();
    }

    private static InvalidImageException corrupt(ImageFormat format, Exception e) {
        String why = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
        return new InvalidImageException("corrupt or truncated " + format + " image: " + why);
    }
}
