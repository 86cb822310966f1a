package dev.puna.gguf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds GGUF bytes field by field, so that tests can write exactly the corruption they check for. */
final class RawGguf {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    /** Starts a file with the magic, a version and the two counts. */
    static RawGguf header(int version, long tensorCount, long entryCount) {
        return new RawGguf().u32(0x46554747).u32(version).u64(tensorCount).u64(entryCount);
    }

    RawGguf u8(int value) {
        bytes.write(value);
        return this;
    }

    RawGguf u32(int value) {
        return raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array());
    }

    RawGguf u64(long value) {
        return raw(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array());
    }

    RawGguf string(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        return u64(utf8.length).raw(utf8);
    }

    /** A metadata entry holding a UINT32. */
    RawGguf u32Entry(String key, int value) {
        return string(key).u32(GgufValueType.UINT32.id()).u32(value);
    }

    /** A tensor info. */
    RawGguf tensor(String name, int type, long offset, long... dims) {
        string(name).u32(dims.length);
        for (long dim : dims) {
            u64(dim);
        }
        return u32(type).u64(offset);
    }

    /** Zero bytes up to the next multiple of {@code alignment}. */
    RawGguf pad(int alignment) {
        while (bytes.size() % alignment != 0) {
            bytes.write(0);
        }
        return this;
    }

    /** {@code count} zero bytes (tensor data). */
    RawGguf zeros(int count) {
        return raw(new byte[count]);
    }

    RawGguf raw(byte[] data) {
        bytes.writeBytes(data);
        return this;
    }

    Path writeTo(Path file) throws IOException {
        return Files.write(file, bytes.toByteArray());
    }
}
