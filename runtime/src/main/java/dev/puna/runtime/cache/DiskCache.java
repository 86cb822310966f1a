package dev.puna.runtime.cache;

import dev.puna.runtime.internal.os.NativeMemory;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * KV-cache sequences in files: one file per sequence, holding the bytes of llama.cpp's
 * {@code llama_state_seq_get_data} for it, keyed by the tokens the sequence holds, so that a conversation's state
 * outlives the process that computed it.
 *
 * <p><b>File layout</b> (little-endian): the magic {@code "PUNAKV\r\n"}, the format version ({@link #FORMAT_VERSION}),
 * the identity string (length, UTF-8 bytes), the token list (count, ids), the data length, the data's CRC-32C, the
 * CRC-32C of every header byte before it, then the data. Opening the cache reads headers only; the data's checksum
 * is checked when an entry is {@linkplain #load loaded}.
 *
 * <p><b>Identity.</b> State is only meaningful to the model, llama.cpp build and context settings that computed it:
 * the caller describes them in one identity string, and a file is loaded only when its header carries the same one.
 * Files are named after a hash of the identity, so caches of several models can share a directory: a file of
 * another identity is never read, only counted against the size bound and evicted in its turn (this is how the files
 * of an older llama.cpp build go away). A file that carries this cache's name prefix but is truncated, corrupt or of
 * another identity is deleted when found, never loaded.
 *
 * <p><b>Writes are atomic</b>: a temporary file in the same directory, forced to disk, renamed over the final name,
 * then the directory forced, so a crash leaves either the whole old state or the whole new one; temporary files left
 * by a crash are deleted when the cache opens.
 *
 * <p><b>Bound.</b> The files in the directory (this cache's and other identities') stay within {@code maxBytes}: a
 * write first evicts the least recently used files, by modification time, which a {@linkplain #load hit} refreshes.
 * The count is taken from the directory itself before every write, so the files other caches wrote since this one
 * opened (other models' engines sharing the directory, another process) are counted and evicted in their turn too,
 * and this cache's files another one evicted leave its index. Only writes in progress elsewhere at that moment are
 * not counted.
 *
 * <p><b>Threads.</b> All methods are thread-safe. Writes are serialized among themselves; lookups and loads do not
 * wait for a write in progress (an entry becomes visible once its file is in place).
 */
public final class DiskCache {
    /** The file layout's version; changing it changes every file name, so files of another layout are never read. */
    public static final int FORMAT_VERSION = 1;

    private static final Logger LOG = LogManager.getLogger(DiskCache.class);
    private static final byte[] MAGIC = "PUNAKV\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final String SUFFIX = ".kv";
    private static final String TEMP_SUFFIX = ".tmp";
    /** A temporary file of another identity older than this is left over from a crash, not being written. */
    private static final Duration STALE_TEMP = Duration.ofHours(1);
    private static final int MAX_IDENTITY_BYTES = 1 << 16;
    private static final int MAX_TOKENS = 1 << 24;
    /** ByteBuffer views of a segment hold at most 2 GiB; state is moved in slices of this size. */
    private static final long CHUNK = 1L << 30;

    /**
     * A cached sequence and how many leading tokens it shares with a prompt. {@code tokens} is the cache's own array:
     * read it, copy it, never change it.
     */
    public record Hit(Path file, int[] tokens, int common) {
    }

    /** One file in the directory; {@code tokens} is null for a file of another identity. */
    private record Entry(Path file, int[] tokens, long bytes) {
    }

    /** What a valid header says. */
    private record Header(int[] tokens, long headerBytes, long dataBytes, int dataCrc) {
    }

    private final Path dir;
    private final long maxBytes;
    private final String identity;
    private final byte[] identityBytes;
    private final String prefix;
    private final ReentrantLock writeLock = new ReentrantLock();
    /** Least recently used first. Guarded by {@code this}. */
    private final LinkedHashMap<Path, Entry> entries = new LinkedHashMap<>();
    /** Bytes of every file in {@link #entries}. Guarded by {@code this}. */
    private long usedBytes;

    private DiskCache(Path dir, long maxBytes, String identity) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.identity = identity;
        this.identityBytes = identity.getBytes(StandardCharsets.UTF_8);
        this.prefix = HexFormat.of().formatHex(sha256(FORMAT_VERSION + "\n" + identity)).substring(0, 16) + "-";
    }

    /**
     * Opens the cache in {@code dir} (created if missing) for state of {@code identity}: deletes stale temporary
     * files and this identity's damaged files, reads the headers of the rest, and evicts down to {@code maxBytes}.
     *
     * @throws IllegalArgumentException if {@code maxBytes} is not positive or the identity is empty or too long
     * @throws IOException if the directory cannot be created or listed
     */
    public static DiskCache open(Path dir, long maxBytes, String identity) throws IOException {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(identity, "identity");
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be > 0, got " + maxBytes);
        }
        if (identity.isEmpty() || identity.getBytes(StandardCharsets.UTF_8).length > MAX_IDENTITY_BYTES) {
            throw new IllegalArgumentException("the identity must be 1.." + MAX_IDENTITY_BYTES + " bytes");
        }
        Files.createDirectories(dir);
        DiskCache cache = new DiskCache(dir.toAbsolutePath(), maxBytes, identity);
        cache.scan();
        return cache;
    }

    /** The directory the files are in. */
    public Path directory() {
        return dir;
    }

    /** The identity this cache loads state for. */
    public String identity() {
        return identity;
    }

    /** The bound on the directory's bytes. */
    public long maxBytes() {
        return maxBytes;
    }

    /** Bytes of the files counted against the bound, this identity's and others'. */
    public synchronized long bytes() {
        return usedBytes;
    }

    /** Sequences of this identity held. */
    public synchronized int size() {
        int n = 0;
        for (Entry e : entries.values()) {
            n += e.tokens == null ? 0 : 1;
        }
        return n;
    }

    /** The entry sharing the longest prefix with {@code prompt}, or null when none shares a token. */
    public synchronized Hit best(int[] prompt) {
        Entry best = null;
        int bestCommon = 0;
        for (Entry e : entries.values()) {
            if (e.tokens != null) {
                int common = commonPrefix(e.tokens, prompt);
                if (common > bestCommon) {
                    best = e;
                    bestCommon = common;
                }
            }
        }
        return best == null ? null : new Hit(best.file, best.tokens, bestCommon);
    }

    /**
     * Whether an entry holds {@code tokens} or a sequence they begin: storing them would add nothing. Marks that
     * entry as used.
     */
    public synchronized boolean holds(int[] tokens) {
        for (Entry e : entries.values()) {
            if (e.tokens != null && startsWith(e.tokens, tokens)) {
                touch(e);
                return true;
            }
        }
        return false;
    }

    /**
     * Reads a hit's state into memory from {@code arena}, checking the header again and the data's checksum, and
     * marks the entry as used. Returns null when the file is gone or damaged (a damaged file is deleted).
     */
    public MemorySegment load(Hit hit, Arena arena) {
        Entry e;
        synchronized (this) {
            e = entries.get(hit.file());
            if (e == null || e.tokens != hit.tokens()) {
                return null;
            }
        }
        try (FileChannel ch = FileChannel.open(e.file, StandardOpenOption.READ)) {
            Header h = readHeader(ch);
            if (h == null || !Arrays.equals(h.tokens, e.tokens)) {
                discard(e, "its header is damaged or was replaced");
                return null;
            }
            // Filled from the file below, so not zeroed first.
            MemorySegment data = NativeMemory.allocateUninitialized(arena, Math.max(1, h.dataBytes))
                    .asSlice(0, h.dataBytes);
            long at = h.headerBytes;
            for (long off = 0; off < h.dataBytes; off += CHUNK) {
                ByteBuffer buf = data.asSlice(off, Math.min(CHUNK, h.dataBytes - off)).asByteBuffer();
                while (buf.hasRemaining()) {
                    int n = ch.read(buf, at);
                    if (n < 0) {
                        throw new EOFException();
                    }
                    at += n;
                }
            }
            if (crc(data) != h.dataCrc) {
                discard(e, "its data does not match its checksum");
                return null;
            }
            synchronized (this) {
                if (entries.containsKey(e.file)) {
                    touch(e);
                }
            }
            return data;
        } catch (NoSuchFileException gone) {
            forget(e);
            return null;
        } catch (IOException ex) {
            discard(e, "it cannot be read (" + ex + ")");
            return null;
        }
    }

    /**
     * Writes {@code state}, the llama.cpp state of a sequence holding {@code tokens}, to a file of its own, first
     * evicting least recently used files to stay within the bound. Entries whose tokens {@code tokens} extend are
     * deleted: this one holds all they did. Blocks for the write and the forces to disk.
     *
     * @return false if nothing was written: the file would exceed the bound alone, or an entry already holds these
     *         tokens ({@link #holds})
     * @throws IOException if the file cannot be written (no temporary file is left behind)
     */
    public boolean store(int[] tokens, MemorySegment state) throws IOException {
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(state, "state");
        if (tokens.length == 0 || tokens.length > MAX_TOKENS) {
            throw new IllegalArgumentException("a sequence has 1.." + MAX_TOKENS + " tokens, got " + tokens.length);
        }
        writeLock.lock();
        try {
            byte[] header = header(tokens, state.byteSize(), crc(state));
            long total = header.length + state.byteSize();
            if (total > maxBytes || holds(tokens)) {
                return false;
            }
            Path target = dir.resolve(prefix + HexFormat.of().formatHex(sha256(tokens)).substring(0, 32) + SUFFIX);
            recount();
            synchronized (this) {
                makeRoom(total, target);
            }
            Path temp = dir.resolve(target.getFileName() + "."
                    + Long.toHexString(ThreadLocalRandom.current().nextLong()) + TEMP_SUFFIX);
            try {
                try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    writeFully(ch, ByteBuffer.wrap(header));
                    for (long off = 0; off < state.byteSize(); off += CHUNK) {
                        writeFully(ch, state.asSlice(off, Math.min(CHUNK, state.byteSize() - off)).asByteBuffer());
                    }
                    ch.force(true);
                }
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(temp);
                throw e;
            }
            // The rename and the index change happen under the monitor best() takes, so whoever sees the file
            // also finds it in the index.
            synchronized (this) {
                try {
                    move(temp, target);
                } catch (IOException | RuntimeException e) {
                    Files.deleteIfExists(temp);
                    throw e;
                }
                Entry replaced = entries.remove(target);
                if (replaced != null) {
                    usedBytes -= replaced.bytes;
                }
                for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
                    Entry e = it.next();
                    if (e.tokens != null && startsWith(tokens, e.tokens)) {
                        it.remove();
                        usedBytes -= e.bytes;
                        delete(e.file);
                    }
                }
                entries.put(target, new Entry(target, tokens.clone(), total));
                usedBytes += total;
            }
            syncDirectory();
            return true;
        } finally {
            writeLock.unlock();
        }
    }

    // ---- opening ----

    private void scan() throws IOException {
        record Found(Entry entry, FileTime modified) {
        }
        List<Found> found = new ArrayList<>();
        Instant staleBefore = Instant.now().minus(STALE_TEMP);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                BasicFileAttributes attrs;
                try {
                    attrs = Files.readAttributes(file, BasicFileAttributes.class);
                } catch (NoSuchFileException gone) {
                    continue;
                }
                if (!attrs.isRegularFile()) {
                    continue;
                }
                if (name.endsWith(TEMP_SUFFIX)) {
                    // Ours are left over from a crash (a running engine of this identity would be this one);
                    // another identity's only when old enough not to be a write in progress.
                    if (name.startsWith(prefix) || attrs.lastModifiedTime().toInstant().isBefore(staleBefore)) {
                        delete(file);
                    }
                } else if (name.endsWith(SUFFIX)) {
                    int[] tokens = null;
                    if (name.startsWith(prefix)) {
                        Header h = readHeader(file);
                        if (h == null || h.headerBytes + h.dataBytes != attrs.size()) {
                            LOG.warn("deleting {}: it is truncated, damaged or not of this cache's identity", file);
                            delete(file);
                            continue;
                        }
                        tokens = h.tokens;
                    }
                    found.add(new Found(new Entry(file, tokens, attrs.size()), attrs.lastModifiedTime()));
                }
            }
        }
        found.sort(Comparator.comparing(Found::modified));
        synchronized (this) {
            for (Found f : found) {
                entries.put(f.entry.file, f.entry);
                usedBytes += f.entry.bytes;
            }
            makeRoom(0, null);
        }
    }

    /**
     * Re-reads which finished files the directory holds (called with the write lock held): files of other
     * identities, or of this one but not written by this cache, are counted as they are now, and entries whose file
     * is gone (another cache evicted it) are dropped. The order stays least recently used first: by modification
     * time, which a hit refreshes, ties kept in this cache's own order.
     */
    private void recount() throws IOException {
        record Seen(Path file, long bytes, FileTime modified) {
        }
        List<Seen> seen = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path file : files) {
                try {
                    BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
                    if (attrs.isRegularFile()) {
                        seen.add(new Seen(file, attrs.size(), attrs.lastModifiedTime()));
                    }
                } catch (NoSuchFileException gone) {
                    // evicted by another cache while listed
                }
            }
        }
        synchronized (this) {
            Map<Path, Integer> order = new HashMap<>();
            for (Path file : entries.keySet()) {
                order.put(file, order.size());
            }
            seen.sort(Comparator.comparing(Seen::modified)
                    .thenComparing(f -> order.getOrDefault(f.file, -1)));
            LinkedHashMap<Path, Entry> now = new LinkedHashMap<>();
            long used = 0;
            for (Seen f : seen) {
                Entry own = entries.get(f.file);
                Entry e = own != null && own.tokens != null ? own : new Entry(f.file, null, f.bytes);
                now.put(f.file, e);
                used += e.bytes;
            }
            entries.clear();
            entries.putAll(now);
            usedBytes = used;
        }
    }

    /** Reads and checks a header: null when it is not a complete, intact header of this identity. */
    private Header readHeader(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = readHeader(ch);
            return h != null && h.headerBytes + h.dataBytes == ch.size() ? h : null;
        } catch (IOException e) {
            return null;
        }
    }

    private Header readHeader(FileChannel ch) throws IOException {
        long size = ch.size();
        ByteBuffer fixed = read(ch, 0, MAGIC.length + 8, size);
        if (fixed == null) {
            return null;
        }
        byte[] magic = new byte[MAGIC.length];
        fixed.get(magic);
        int version = fixed.getInt();
        int idLength = fixed.getInt();
        if (!Arrays.equals(magic, MAGIC) || version != FORMAT_VERSION || idLength != identityBytes.length) {
            return null;
        }
        long at = MAGIC.length + 8;
        ByteBuffer id = read(ch, at, idLength + 4, size);
        if (id == null) {
            return null;
        }
        byte[] idBytes = new byte[idLength];
        id.get(idBytes);
        int count = id.getInt();
        if (!Arrays.equals(idBytes, identityBytes) || count <= 0 || count > MAX_TOKENS) {
            return null;
        }
        at += idLength + 4;
        ByteBuffer rest = read(ch, at, 4L * count + 16, size);
        if (rest == null) {
            return null;
        }
        int[] tokens = new int[count];
        rest.asIntBuffer().get(tokens);
        rest.position(4 * count);
        long dataBytes = rest.getLong();
        int dataCrc = rest.getInt();
        int headerCrc = rest.getInt();
        long headerBytes = at + 4L * count + 16;
        CRC32C crc = new CRC32C();
        crc.update(fixed.flip());
        crc.update(id.flip());
        crc.update(rest.flip().limit(4 * count + 12));
        if ((int) crc.getValue() != headerCrc || dataBytes < 0) {
            return null;
        }
        return new Header(tokens, headerBytes, dataBytes, dataCrc);
    }

    /** {@code n} bytes at {@code at}, or null when the file ends first. */
    private static ByteBuffer read(FileChannel ch, long at, long n, long size) throws IOException {
        if (at + n > size || n > Integer.MAX_VALUE) {
            return null;
        }
        ByteBuffer buf = ByteBuffer.allocate((int) n).order(ByteOrder.LITTLE_ENDIAN);
        while (buf.hasRemaining()) {
            if (ch.read(buf, at + buf.position()) < 0) {
                return null;
            }
        }
        return buf.flip();
    }

    // ---- writing ----

    private byte[] header(int[] tokens, long dataBytes, int dataCrc) {
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 12 + identityBytes.length + 4 * tokens.length + 16)
                .order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putInt(FORMAT_VERSION).putInt(identityBytes.length).put(identityBytes).putInt(tokens.length);
        for (int t : tokens) {
            b.putInt(t);
        }
        b.putLong(dataBytes).putInt(dataCrc);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.array();
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    private static void move(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + target.getParent() + " cannot rename files atomically", e);
        }
    }

    /** Forces the directory entry of the rename to disk, where the platform can open a directory (not Windows). */
    private void syncDirectory() {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            LOG.debug("cannot force directory {} to disk", dir, e);
        }
    }

    // ---- the index ----

    /** Evicts least recently used files until {@code incoming} more bytes fit; {@code replacing} is not counted. */
    private void makeRoom(long incoming, Path replacing) {
        Entry replaced = replacing == null ? null : entries.get(replacing);
        long kept = usedBytes - (replaced == null ? 0 : replaced.bytes);
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext() && kept + incoming > maxBytes; ) {
            Entry e = it.next();
            if (e == replaced) {
                continue;
            }
            it.remove();
            usedBytes -= e.bytes;
            kept -= e.bytes;
            delete(e.file);
        }
    }

    private void touch(Entry e) {
        entries.remove(e.file);
        entries.put(e.file, e);
        try {
            Files.setLastModifiedTime(e.file, FileTime.from(Instant.now()));
        } catch (IOException ex) {
            LOG.debug("cannot touch {}", e.file, ex);
        }
    }

    private synchronized void forget(Entry e) {
        if (entries.remove(e.file, e)) {
            usedBytes -= e.bytes;
        }
    }

    private void discard(Entry e, String why) {
        LOG.warn("deleting {}: {}", e.file, why);
        synchronized (this) {
            if (entries.remove(e.file, e)) {
                usedBytes -= e.bytes;
                delete(e.file);
            }
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("cannot delete {}", file, e);
        }
    }

    // ---- helpers ----

    private static int crc(MemorySegment data) {
        CRC32C crc = new CRC32C();
        for (long off = 0; off < data.byteSize(); off += CHUNK) {
            crc.update(data.asSlice(off, Math.min(CHUNK, data.byteSize() - off)).asByteBuffer());
        }
        return (int) crc.getValue();
    }

    private static byte[] sha256(String s) {
        return digest().digest(s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] sha256(int[] tokens) {
        ByteBuffer b = ByteBuffer.allocate(4 * tokens.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(tokens);
        return digest().digest(b.array());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    private static boolean startsWith(int[] tokens, int[] prefix) {
        return prefix.length <= tokens.length && commonPrefix(tokens, prefix) == prefix.length;
    }

    private static int commonPrefix(int[] a, int[] b) {
        int at = Arrays.mismatch(a, b);
        return at < 0 ? a.length : at;
    }

    @Override
    public String toString() {
        return "DiskCache[" + dir + ", " + identity + "]";
    }
}
