package dev.puna.runtime.vision;

/** The image file formats Puna accepts, recognised by their leading bytes (never by a name or MIME type). */
public enum ImageFormat {
    /** PNG; decoded by llama.cpp's stb_image. */
    PNG("image/png"),
    /** JPEG (baseline and progressive); decoded by stb_image. */
    JPEG("image/jpeg"),
    /** GIF: the first frame; decoded by stb_image. */
    GIF("image/gif"),
    /** WebP (lossy, lossless; the first frame of an animation); decoded in Java, which stb_image cannot. */
    WEBP("image/webp");

    private final String mediaType;

    ImageFormat(String mediaType) {
        this.mediaType = mediaType;
    }

    /** The IANA media type, e.g. {@code image/png}. */
    public String mediaType() {
        return mediaType;
    }

    /** The format {@code bytes} start like, or {@code null} when they look like none of them. */
    static ImageFormat sniff(byte[] bytes) {
        if (startsWith(bytes, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return PNG;
        }
        if (startsWith(bytes, 0, 0xFF, 0xD8, 0xFF)) {
            return JPEG;
        }
        if (startsWith(bytes, 0, 'G', 'I', 'F', '8') && bytes.length > 5 && (bytes[4] == '7' || bytes[4] == '9')
                && bytes[5] == 'a') {
            return GIF;
        }
        if (startsWith(bytes, 0, 'R', 'I', 'F', 'F') && startsWith(bytes, 8, 'W', 'E', 'B', 'P')) {
            return WEBP;
        }
        return null;
    }

    private static boolean startsWith(byte[] bytes, int offset, int... magic) {
        if (bytes.length < offset + magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((bytes[offset + i] & 0xFF) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
