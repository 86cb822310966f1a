package dev.puna.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;

/**
 * Little-endian reads from the start of a file through a small window, so that parsing a header never reads
 * (or maps) the tensor data behind it.
 *
 * <p>Every read checks the file size first: a truncated file reports what was being read ({@link #section}) rather
 * than failing with an {@code EOFException} that names nothing.
 */
final class FileInput {
    private static final int WINDOW = 64 * 1024;

    private final String fileName;
    private final FileChannel channel;
    private final long size;
    private final ByteBuffer window = ByteBuffer.allocate(WINDOW).order(ByteOrder.LITTLE_ENDIAN).limit(0);
    private long windowStart;
    private String section = "the header";

    FileInput(String fileName, FileChannel channel) throws IOException {
        this.fileName = fileName;
        this.channel = channel;
        this.size = channel.size();
    }

    /** Says what the next reads are for, so that a truncation error can name it. */
    void section(String section) {
        this.section = section;
    }

    long size() {
        return size;
    }

    long position() {
        return windowStart + window.position();
    }

    long remaining() {
        return size - position();
    }

    /** An error whose message names the file. */
    GgufFormatException error(String message) {
        return new GgufFormatException(fileName, message);
    }

    byte readByte() throws IOException {
        return fill(1).get();
    }

    short readShort() throws IOException {
        return fill(2).getShort();
    }

    int readInt() throws IOException {
        return fill(4).getInt();
    }

    long readLong() throws IOException {
        return fill(8).getLong();
    }

    /**
     * Reads {@code length} bytes; the caller has bounded {@code length} by {@link #remaining()}, so a corrupt count
     * cannot make this allocate more than the file holds.
     */
    byte[] readBytes(int length) throws IOException {
        require(length);
        byte[] bytes = new byte[length];
        int done = 0;
        while (done < length) {
            int chunk = Math.min(length - done, WINDOW);
            fill(chunk).get(bytes, done, chunk);
            done += chunk;
        }
        return bytes;
    }

    /** Reads a GGUF string: a uint64 byte count, then that many UTF-8 bytes. */
    String readString() throws IOException {
        long length = readLong();
        if (length < 0 || length > remaining()) {
            throw error("%s: string length %s exceeds the %d bytes left in the file"
                    .formatted(section, Long.toUnsignedString(length), remaining()));
        }
        if (length > GgufFormat.MAX_STRING_BYTES) {
            throw error("%s: string length %d is larger than the limit of %d bytes"
                    .formatted(section, length, GgufFormat.MAX_STRING_BYTES));
        }
        return new String(readBytes((int) length), StandardCharsets.UTF_8);
    }

    private void require(long length) throws GgufFormatException {
        if (length > remaining()) {
            throw error("truncated: the file ends at byte %d while reading %s".formatted(size, section));
        }
    }

    /** Makes the next {@code length} (at most {@link #WINDOW}) bytes available in the window. */
    private ByteBuffer fill(int length) throws IOException {
        if (window.remaining() >= length) {
            return window;
        }
        require(length);
        windowStart = position();
        window.clear();
        long want = Math.min(WINDOW, size - windowStart);
        while (window.position() < want) {
            if (channel.read(window, windowStart + window.position()) < 0) {
                throw error("truncated: the file shrank while being read");
            }
        }
        window.flip();
        return window;
    }
}
