package dev.puna.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;

/** Buffered little-endian output to a channel that counts the bytes written, for alignment padding. */
final class ByteSink {
    private static final int BUFFER = 1 << 20;

    private final WritableByteChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER).order(ByteOrder.LITTLE_ENDIAN);
    private long flushed;

    ByteSink(WritableByteChannel channel) {
        this.channel = channel;
    }

    /** Bytes written so far, including those still buffered. */
    long position() {
        return flushed + buffer.position();
    }

    /** The buffer, with room for at least {@code bytes} (at most 1 MiB) more bytes. */
    ByteBuffer reserve(int bytes) throws IOException {
        if (buffer.remaining() < bytes) {
            flush();
        }
        return buffer;
    }

    void putByte(byte value) throws IOException {
        reserve(1).put(value);
    }

    void putShort(short value) throws IOException {
        reserve(2).putShort(value);
    }

    void putInt(int value) throws IOException {
        reserve(4).putInt(value);
    }

    void putLong(long value) throws IOException {
        reserve(8).putLong(value);
    }

    void putFloat(float value) throws IOException {
        reserve(4).putFloat(value);
    }

    void putDouble(double value) throws IOException {
        reserve(8).putDouble(value);
    }

    /** Writes a GGUF string: a uint64 byte count, then the UTF-8 bytes. */
    void putString(String value) throws IOException {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        putLong(bytes.length);
        for (int done = 0; done < bytes.length; ) {
            int chunk = Math.min(bytes.length - done, BUFFER);
            reserve(chunk).put(bytes, done, chunk);
            done += chunk;
        }
    }

    /** Writes zero bytes up to the next multiple of {@code alignment}. */
    void padTo(int alignment) throws IOException {
        while (position() % alignment != 0) {
            putByte((byte) 0);
        }
    }

    void flush() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            flushed += channel.write(buffer);
        }
        buffer.clear();
    }
}
