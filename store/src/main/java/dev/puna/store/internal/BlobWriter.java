package dev.puna.store.internal;

import dev.puna.store.Digest;
import dev.puna.store.DigestMismatchException;
import dev.puna.store.OperationCancelledException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.function.LongConsumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Puts content into {@code blobs/} so that a blob file is either absent or complete and verified: content goes
 * to a temporary file while it is hashed, the hash is compared with the digest it is stored under, the file is
 * forced to disk, and only then renamed to {@code sha256-<hex>}.
 *
 * <p>Callers pass the {@link BlobGuard.Pins} of their operation; the digest is pinned before the blob's existence is
 * checked, so pruning cannot remove a blob the operation has just decided to reuse. Thread-safe.
 */
public final class BlobWriter {
    private static final Logger LOG = LogManager.getLogger(BlobWriter.class);

    private final StoreLayout layout;

    /** A writer into {@code layout}'s blob directory. */
    public BlobWriter(StoreLayout layout) {
        this.layout = layout;
    }

    /**
     * A blob that was put.
     *
     * @param digest its digest
     * @param size its size in bytes
     * @param created false if the store already had it
     */
    public record Written(Digest digest, long size, boolean created) {
    }

    /** Puts a small blob held in memory. */
    public Written write(byte[] bytes, BlobGuard.Pins pins) throws IOException {
        Digest digest = Hashing.of(bytes);
        pins.add(digest);
        Path target = layout.blobPath(digest);
        if (Files.isRegularFile(target)) {
            return new Written(digest, bytes.length, false);
        }
        Files.createDirectories(target.getParent());
        StoreLayout.writeAtomically(target, bytes);
        return new Written(digest, bytes.length, true);
    }

    /**
     * Streams {@code in} into the blob {@code expected}, verifying the content.
     *
     * @throws DigestMismatchException if the content hashes to another digest (nothing is stored)
     */
    public Written write(InputStream in, Digest expected, BlobGuard.Pins pins) throws IOException {
        pins.add(expected);
        Path target = layout.blobPath(expected);
        Files.createDirectories(target.getParent());
        Path temp = StoreLayout.tempFile(target.getParent());
        try {
            MessageDigest md = Hashing.sha256();
            long size = 0;
            byte[] buf = new byte[Hashing.BUFFER];
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    md.update(buf, 0, n);
                    ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                    while (bb.hasRemaining()) {
                        out.write(bb);
                    }
                    size += n;
                    checkInterrupt("blob upload");
                }
                out.force(true);
            }
            Digest actual = Digest.of(md.digest());
            if (!actual.equals(expected)) {
                throw new DigestMismatchException(expected, actual, "uploaded blob");
            }
            if (Files.isRegularFile(target)) {
                return new Written(expected, size, false);
            }
            StoreLayout.moveAtomically(temp, target);
            return new Written(expected, size, true);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Puts a local file into the store without holding two copies of it: a hard link when the file is on the
     * store's file system (the file is read once, to hash it), else one copy that is hashed while it is written.
     *
     * <p>A hard link shares the file's content: changing the original file in place afterwards changes the blob
     * too (replacing it, as editors and downloaders do, does not). The file's size and modification time are
     * checked after linking, so a file that changes during the import is refused.
     *
     * @param progress receives the bytes hashed or copied so far; may be null
     */
    public Written importFile(Path file, BlobGuard.Pins pins, LongConsumer progress) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString(), null, "not a regular file");
        }
        Files.createDirectories(layout.blobsDir());
        boolean sameStore;
        try {
            sameStore = Files.getFileStore(file).equals(Files.getFileStore(layout.blobsDir()));
        } catch (IOException e) {
            sameStore = false;
        }
        if (sameStore) {
            long size = Files.size(file);
            FileTime modified = Files.getLastModifiedTime(file);
            Digest digest = Hashing.of(file, progress);
            pins.add(digest);
            Path target = layout.blobPath(digest);
            if (Files.isRegularFile(target)) {
                return new Written(digest, size, false);
            }
            Path temp = StoreLayout.tempFile(layout.blobsDir());
            try {
                Files.createLink(temp, file);
                if (Files.size(temp) != size || !Files.getLastModifiedTime(temp).equals(modified)) {
                    throw new IOException(file + " changed while it was being imported; try again");
                }
                StoreLayout.moveAtomically(temp, target);
                return new Written(digest, size, true);
            } catch (FileSystemException | UnsupportedOperationException e) {
                LOG.debug("cannot hard-link {} into the store ({}); copying it", file, e.toString());
            } finally {
                Files.deleteIfExists(temp);
            }
        }
        return copyFile(file, null, pins, progress);
    }

    /**
     * Makes a file written inside the blob directory by someone else (the quantizer) a blob: hashes it, forces it
     * to disk and renames it to its digest. The file is gone afterwards either way.
     */
    public Written moveIn(Path fileInBlobsDir, BlobGuard.Pins pins) throws IOException {
        try {
            long size = Files.size(fileInBlobsDir);
            Digest digest = Hashing.of(fileInBlobsDir, null);
            pins.add(digest);
            Path target = layout.blobPath(digest);
            if (Files.isRegularFile(target)) {
                return new Written(digest, size, false);
            }
            try (FileChannel ch = FileChannel.open(fileInBlobsDir, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            StoreLayout.moveAtomically(fileInBlobsDir, target);
            return new Written(digest, size, true);
        } finally {
            Files.deleteIfExists(fileInBlobsDir);
        }
    }

    /**
     * Copies a blob of another store (the read-only Ollama store) into this one: a hard link when possible,
     * else a copy verified against {@code digest}.
     */
    public Written adopt(Path sourceBlob, Digest digest, BlobGuard.Pins pins) throws IOException {
        pins.add(digest);
        Path target = layout.blobPath(digest);
        if (Files.isRegularFile(target)) {
            return new Written(digest, Files.size(target), false);
        }
        Files.createDirectories(target.getParent());
        Path temp = StoreLayout.tempFile(target.getParent());
        try {
            // The source store keeps the same invariant (a blob's name is its content's hash), so a link is trusted.
            Files.createLink(temp, sourceBlob);
            StoreLayout.moveAtomically(temp, target);
            return new Written(digest, Files.size(target), true);
        } catch (FileSystemException | UnsupportedOperationException e) {
            LOG.debug("cannot hard-link {} ({}); copying it", sourceBlob, e.toString());
        } finally {
            Files.deleteIfExists(temp);
        }
        return copyFile(sourceBlob, digest, pins, null);
    }

    private Written copyFile(Path file, Digest expected, BlobGuard.Pins pins, LongConsumer progress)
            throws IOException {
        Path temp = StoreLayout.tempFile(layout.blobsDir());
        try {
            MessageDigest md = Hashing.sha256();
            long size = 0;
            ByteBuffer buf = ByteBuffer.allocate(Hashing.BUFFER);
            try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ);
                    FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW,
                            StandardOpenOption.WRITE)) {
                while (in.read(buf.clear()) >= 0) {
                    buf.flip();
                    md.update(buf.duplicate());
                    while (buf.hasRemaining()) {
                        out.write(buf);
                    }
                    size += buf.limit();
                    if (progress != null) {
                        progress.accept(size);
                    }
                    checkInterrupt("copying " + file);
                }
                out.force(true);
            }
            Digest digest = Digest.of(md.digest());
            if (expected != null && !expected.equals(digest)) {
                throw new DigestMismatchException(expected, digest, file.toString());
            }
            pins.add(digest);
            Path target = layout.blobPath(digest);
            if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                return new Written(digest, size, false);
            }
            StoreLayout.moveAtomically(temp, target);
            return new Written(digest, size, true);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    static void checkInterrupt(String what) {
        if (Thread.currentThread().isInterrupted()) {
            throw new OperationCancelledException(what);
        }
    }
}
