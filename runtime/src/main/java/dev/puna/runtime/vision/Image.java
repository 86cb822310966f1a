package dev.puna.runtime.vision;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An image as its file bytes (PNG, JPEG, GIF or WebP), checked when it is made: the format is recognised from the
 * leading bytes and the dimensions read from the header, so a payload that is not an image, or one whose header
 * announces more than {@value #MAX_PIXELS} pixels (a decompression bomb), is refused before anything decodes it.
 * The pixels are decoded later, by {@link Projector#tokenize}; a file whose header is fine but whose data is
 * corrupt is refused there.
 *
 * <p>{@link #id()} is the SHA-256 of the bytes in hex: the identity under which a prompt cache can recognise the
 * same image in a later request (llama.cpp's helpers use the same hash). Immutable and thread-safe.
 */
public final class Image {
    /** The most pixels an image may have: 40 million (a 120 MB RGB buffer once decoded). */
    public static final long MAX_PIXELS = 40_000_000L;
    /** The longest side an image may have, in pixels. */
    public static final int MAX_SIDE = 16_384;

    private final byte[] bytes;
    private final ImageFormat format;
    private final int width;
    private final int height;
    private final String id;

    private Image(byte[] bytes, ImageFormat format, int width, int height) {
        this.bytes = bytes;
        this.format = format;
        this.width = width;
        this.height = height;
        this.id = sha256(bytes);
    }

    /**
     * An image from its file bytes (copied).
     *
     * @throws InvalidImageException when the bytes are empty, not PNG/JPEG/GIF/WebP, have an unreadable header, or
     *     announce an image larger than {@link #MAX_SIDE} / {@link #MAX_PIXELS}
     */
    public static Image of(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length == 0) {
            throw new InvalidImageException("the image is empty (0 bytes)");
        }
        byte[] copy = bytes.clone();
        ImageFormat format = ImageFormat.sniff(copy);
        if (format == null) {
            throw new InvalidImageException("not a PNG, JPEG, GIF or WebP image (the data starts with "
                    + HexFormat.ofDelimiter(" ").formatHex(copy, 0, Math.min(8, copy.length)) + ")");
        }
        int[] size = JavaImageCodec.dimensions(copy, format);
        if (size[0] <= 0 || size[1] <= 0) {
            throw new InvalidImageException("the " + format + " image has no pixels (" + size[0] + "x" + size[1] + ")");
        }
        if (size[0] > MAX_SIDE || size[1] > MAX_SIDE || (long) size[0] * size[1] > MAX_PIXELS) {
            throw new InvalidImageException("the " + format + " image is " + size[0] + "x" + size[1]
                    + " pixels; at most " + MAX_SIDE + " pixels a side and " + MAX_PIXELS + " pixels are accepted");
        }
        return new Image(copy, format, size[0], size[1]);
    }

    /** The file format. */
    public ImageFormat format() {
        return format;
    }

    /** Width in pixels, from the header (of the first frame for GIF and WebP). */
    public int width() {
        return width;
    }

    /** Height in pixels, from the header. */
    public int height() {
        return height;
    }

    /** The SHA-256 of the file bytes, 64 lowercase hex digits. */
    public String id() {
        return id;
    }

    /** The size of the file in bytes. */
    public int byteSize() {
        return bytes.length;
    }

    /** A copy of the file bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The bytes themselves, for the decoder; never modified. */
    byte[] rawBytes() {
        return bytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Image other && id.equals(other.id) && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return "Image[" + format + " " + width + "x" + height + ", " + bytes.length + " bytes, " + id.substring(0, 12)
                + "]";
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
