package dev.puna.store.internal;

import dev.puna.store.Digest;
import dev.puna.store.OperationCancelledException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.function.LongConsumer;

/** SHA-256 helpers. */
public final class Hashing {
    /** The buffer size for hashing and copying files. */
    public static final int BUFFER = 1 << 20;

    private Hashing() {
    }

    /** A fresh SHA-256 digester. */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The digest of {@code bytes}. */
    public static Digest of(byte[] bytes) {
        return Digest.of(sha256().digest(bytes));
    }

    /**
     * The digest of a file's content.
     *
     * @param progress receives the number of bytes hashed so far, after each buffer; may be null
     * @throws OperationCancelledException if the thread is interrupted
     */
    public static Digest of(Path file, LongConsumer progress) throws IOException {
        MessageDigest md = sha256();
        ByteBuffer buf = ByteBuffer.allocate(BUFFER);
        long done = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (ch.read(buf.clear()) >= 0) {
                md.update(buf.flip());
                done += buf.limit();
                if (progress != null) {
                    progress.accept(done);
                }
                if (Thread.currentThread().isInterrupted()) {
                    throw new OperationCancelledException("hashing " + file);
                }
            }
        }
        return Digest.of(md.digest());
    }
}
