package dev.puna.runtime.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The disk tier's files: found again after a reopen, written atomically, checked, bounded, matched by prefix. */
class DiskCacheTest {
    private static final String ID = "model=abc;llama.cpp=v0.5.0";

    @TempDir
    Path dir;

    private static int[] tokens(int seed, int n) {
        return IntStream.range(0, n).map(i -> 1000 * seed + i).toArray();
    }

    private static byte[] state(int seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] load(DiskCache cache, DiskCache.Hit hit) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = cache.load(hit, arena);
            return data == null ? null : data.toArray(ValueLayout.JAVA_BYTE);
        }
    }

    private List<Path> files(String suffix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }

    private static String prefixOf(Path file) {
        String name = file.getFileName().toString();
        return name.substring(0, name.indexOf('-') + 1);
    }

    @Test
    void aStoredSequenceIsFoundByItsLongestPrefixAfterAReopen() throws IOException {
        DiskCache cache = DiskCache.open(dir, 1 << 20, ID);
        int[] a = tokens(1, 100);
        int[] b = tokens(2, 80);
        assertTrue(cache.store(a, MemorySegment.ofArray(state(1, 5000))));
        assertTrue(cache.store(b, MemorySegment.ofArray(state(2, 3000))));

        DiskCache reopened = DiskCache.open(dir, 1 << 20, ID);
        assertEquals(2, reopened.size());
        int[] prompt = Arrays.copyOf(a, 130);
        Arrays.fill(prompt, 60, 130, 7); // shares 60 tokens with a, none with b
        DiskCache.Hit hit = reopened.best(prompt);
        assertNotNull(hit);
        assertArrayEquals(a, hit.tokens());
        assertEquals(60, hit.common());
        assertArrayEquals(state(1, 5000), load(reopened, hit));

        DiskCache.Hit other = reopened.best(Arrays.copyOf(b, 200));
        assertEquals(80, other.common());
        assertArrayEquals(state(2, 3000), load(reopened, other));
        assertNull(reopened.best(new int[] {5, 6, 7}));
    }

    @Test
    void aLongerSequenceReplacesThePrefixItExtendsAndAShorterOneAddsNothing() throws IOException {
        DiskCache cache = DiskCache.open(dir, 1 << 20, ID);
        int[] longer = tokens(3, 120);
        assertTrue(cache.store(Arrays.copyOf(longer, 70), MemorySegment.ofArray(state(3, 700))));
        assertTrue(cache.store(longer, MemorySegment.ofArray(state(4, 1200))));
        assertEquals(1, cache.size());
        assertEquals(1, files(".kv").size());
        assertTrue(cache.holds(Arrays.copyOf(longer, 50)));
        assertFalse(cache.store(Arrays.copyOf(longer, 50), MemorySegment.ofArray(state(5, 500))));
        DiskCache.Hit hit = cache.best(longer);
        assertEquals(120, hit.common());
        assertArrayEquals(state(4, 1200), load(cache, hit));
    }

    @Test
    void writesLeaveNoTemporaryFileAndTemporaryFilesOfACrashAreDeletedAtOpen() throws IOException {
        DiskCache cache = DiskCache.open(dir, 1 << 20, ID);
        assertTrue(cache.store(tokens(1, 90), MemorySegment.ofArray(state(1, 4000))));
        assertEquals(List.of(), files(".tmp"));
        Path stored = files(".kv").getFirst();
        String prefix = prefixOf(stored);

        // A crash mid-write of ours, an in-progress write of another identity, and an old one of another identity.
        Path ours = dir.resolve(prefix + "0123.kv.42.tmp");
        Files.write(ours, Arrays.copyOf(Files.readAllBytes(stored), 100));
        Path theirsFresh = dir.resolve("ffffffffffffffff-0123.kv.43.tmp");
        Files.write(theirsFresh, new byte[10]);
        Path theirsOld = dir.resolve("eeeeeeeeeeeeeeee-0123.kv.44.tmp");
        Files.write(theirsOld, new byte[10]);
        Files.setLastModifiedTime(theirsOld, FileTime.from(Instant.now().minusSeconds(7200)));

        DiskCache reopened = DiskCache.open(dir, 1 << 20, ID);
        assertEquals(List.of(theirsFresh), files(".tmp"));
        assertEquals(1, reopened.size());
        assertArrayEquals(state(1, 4000), load(reopened, reopened.best(tokens(1, 90))));
    }

    @Test
    void storingTheSameTokensAgainReplacesTheFileWhole() throws IOException {
        DiskCache cache = DiskCache.open(dir, 1 << 20, ID);
        // Another cache on the directory (a later engine, another process) that has not seen the first file.
        DiskCache other = DiskCache.open(dir, 1 << 20, ID);
        int[] t = tokens(1, 90);
        assertTrue(cache.store(t, MemorySegment.ofArray(state(1, 4000))));
        assertTrue(other.store(t, MemorySegment.ofArray(state(2, 6000))));
        assertEquals(1, files(".kv").size());
        assertEquals(List.of(), files(".tmp"));
        assertArrayEquals(state(2, 6000), load(other, other.best(t)));
        // The first cache's entry names a file that was replaced: it reads the new header and data, intact.
        assertArrayEquals(state(2, 6000), load(cache, cache.best(t)));
    }

    @Test
    void damagedDataIsDeletedWhenLoadedNeverReturned() throws IOException {
        DiskCache cache = DiskCache.open(dir, 1 << 20, ID);
        int[] t = tokens(1, 90);
        cache.store(t, MemorySegment.ofArray(state(1, 4000)));
        Path file = files(".kv").getFirst();
        flipByte(file, Files.size(file) - 10);

        DiskCache reopened = DiskCache.open(dir, 1 << 20, ID); // headers only: the damage is not seen yet
        DiskCache.Hit hit = reopened.best(t);
        assertNotNull(hit);
        assertNull(load(reopened, hit));
        assertFalse(Files.exists(file));
        assertNull(reopened.best(t));
        assertEquals(0, reopened.bytes());
    }

    @Test
    void damagedOrTruncatedHeadersAreDeletedAtOpen() throws IOException {
        DiskCache cache = DiskCache.open(dir, 1 << 20, ID);
        cache.store(tokens(1, 90), MemorySegment.ofArray(state(1, 4000)));
        cache.store(tokens(2, 90), MemorySegment.ofArray(state(2, 4000)));
        cache.store(tokens(3, 90), MemorySegment.ofArray(state(3, 4000)));
        Path damaged = pathOf(cache, tokens(1, 90));
        Path truncated = pathOf(cache, tokens(2, 90));
        Path intact = pathOf(cache, tokens(3, 90));
        flipByte(damaged, 40 + ID.length()); // inside the token list
        try (RandomAccessFile f = new RandomAccessFile(truncated.toFile(), "rw")) {
            f.setLength(f.length() - 1);
        }

        DiskCache reopened = DiskCache.open(dir, 1 << 20, ID);
        assertEquals(List.of(intact), files(".kv"));
        assertEquals(1, reopened.size());
        assertNull(reopened.best(tokens(1, 90)));
        assertNull(reopened.best(tokens(2, 90)));
        assertEquals(Files.size(intact), reopened.bytes());
    }

    @Test
    void anotherIdentitysFilesAreNeverLoadedButCountedAndAWrongIdentityUnderOurNameIsDeleted() throws IOException {
        DiskCache a = DiskCache.open(dir, 1 << 20, ID);
        int[] t = tokens(1, 90);
        a.store(t, MemorySegment.ofArray(state(1, 4000)));
        Path aFile = files(".kv").getFirst();

        DiskCache b = DiskCache.open(dir, 1 << 20, ID + ";n_ctx=512");
        assertNull(b.best(t));
        assertEquals(0, b.size());
        assertEquals(Files.size(aFile), b.bytes());
        assertTrue(Files.exists(aFile));

        // b's own file, so as to learn b's name prefix, then a's file copied under b's prefix.
        b.store(tokens(2, 80), MemorySegment.ofArray(state(2, 100)));
        Path bFile = files(".kv").stream().filter(p -> !p.equals(aFile)).findFirst().orElseThrow();
        Path impostor = dir.resolve(prefixOf(bFile) + "00000000000000000000000000000000.kv");
        Files.copy(aFile, impostor);
        DiskCache reopened = DiskCache.open(dir, 1 << 20, ID + ";n_ctx=512");
        assertFalse(Files.exists(impostor));
        assertNull(reopened.best(t));
        assertEquals(1, reopened.size());
        assertTrue(Files.exists(aFile));
    }

    @Test
    void theLeastRecentlyUsedFilesGoFirstToStayWithinTheBound() throws IOException {
        DiskCache probe = DiskCache.open(dir.resolve("probe"), 1 << 20, ID);
        probe.store(tokens(9, 100), MemorySegment.ofArray(state(9, 10_000)));
        long fileBytes = probe.bytes(); // every file below has this size

        long bound = 3 * fileBytes + fileBytes / 2;
        DiskCache cache = DiskCache.open(dir, bound, ID);
        for (int i = 1; i <= 3; i++) {
            assertTrue(cache.store(tokens(i, 100), MemorySegment.ofArray(state(i, 10_000))));
        }
        assertNotNull(load(cache, cache.best(tokens(1, 100)))); // 1 is now the most recently used
        assertTrue(cache.store(tokens(4, 100), MemorySegment.ofArray(state(4, 10_000))));
        assertEquals(3, cache.size());
        assertEquals(3 * fileBytes, cache.bytes());
        assertNull(cache.best(tokens(2, 100)));
        assertEquals(100, cache.best(tokens(1, 100)).common());

        // After a restart the order comes from the files' modification times.
        Instant now = Instant.now();
        Files.setLastModifiedTime(pathOf(cache, tokens(1, 100)), FileTime.from(now.minusSeconds(30)));
        Files.setLastModifiedTime(pathOf(cache, tokens(3, 100)), FileTime.from(now.minusSeconds(20)));
        Files.setLastModifiedTime(pathOf(cache, tokens(4, 100)), FileTime.from(now.minusSeconds(10)));
        DiskCache reopened = DiskCache.open(dir, bound, ID);
        assertTrue(reopened.store(tokens(5, 100), MemorySegment.ofArray(state(5, 10_000))));
        assertNull(reopened.best(tokens(1, 100)));
        assertEquals(100, reopened.best(tokens(3, 100)).common());

        // A smaller bound at the next open evicts down to it; a sequence bigger than the bound is not written.
        DiskCache smaller = DiskCache.open(dir, fileBytes, ID);
        assertEquals(1, smaller.size());
        assertEquals(100, smaller.best(tokens(5, 100)).common());
        assertFalse(smaller.store(tokens(6, 100), MemorySegment.ofArray(state(6, 20_000))));
        assertEquals(1, files(".kv").size());
    }

    @Test
    void anotherIdentitysOldFilesAreEvictedToo() throws IOException {
        DiskCache old = DiskCache.open(dir, 1 << 20, "model=abc;llama.cpp=v0.4.0");
        old.store(tokens(1, 100), MemorySegment.ofArray(state(1, 10_000)));
        long fileBytes = old.bytes();
        Path oldFile = files(".kv").getFirst();
        Files.setLastModifiedTime(oldFile, FileTime.from(Instant.now().minusSeconds(60)));

        DiskCache cache = DiskCache.open(dir, 2 * fileBytes, ID);
        assertTrue(cache.store(tokens(2, 100), MemorySegment.ofArray(state(2, 10_000))));
        assertTrue(Files.exists(oldFile));
        assertTrue(cache.store(tokens(3, 100), MemorySegment.ofArray(state(3, 10_000))));
        assertFalse(Files.exists(oldFile));
        assertEquals(2, cache.size());
    }

    /**
     * Two models' caches opened on one directory at the same time (two engines of one server): each counts what the
     * other wrote since it opened, so the directory stays within the bound, and a file one evicts of the other's
     * leaves the other's index.
     */
    @Test
    void cachesSharingADirectoryStayWithinTheBoundTogether() throws IOException {
        DiskCache probe = DiskCache.open(dir.resolve("probe"), 1 << 20, ID);
        probe.store(tokens(9, 100), MemorySegment.ofArray(state(9, 10_000)));
        long fileBytes = probe.bytes();
        long bound = 3 * fileBytes;
        DiskCache a = DiskCache.open(dir, bound, ID);
        DiskCache b = DiskCache.open(dir, bound, ID.replace("abc", "xyz")); // same length: files of one size
        Instant start = Instant.now().minusSeconds(100);
        for (int i = 1; i <= 6; i++) {
            DiskCache writer = i % 2 == 1 ? a : b;
            assertTrue(writer.store(tokens(i, 100), MemorySegment.ofArray(state(i, 10_000))));
            // Distinct, increasing ages whatever the file system's timestamp resolution.
            Files.setLastModifiedTime(pathOf(writer, tokens(i, 100)), FileTime.from(start.plusSeconds(i)));
            assertTrue(files(".kv").size() <= 3, "after store " + i + ": " + files(".kv"));
        }
        // The three newest are left: 4 (b), 5 (a), 6 (b); 1, 2 and 3 were evicted oldest first.
        assertEquals(3, files(".kv").size());
        assertNull(a.best(tokens(1, 100)));
        // b evicted 3 after a's last write: a finds out when it tries the file, and forgets it.
        assertNull(load(a, a.best(tokens(3, 100))));
        assertNull(a.best(tokens(3, 100)));
        assertArrayEquals(state(5, 10_000), load(a, a.best(tokens(5, 100))));
        assertNull(b.best(tokens(2, 100)));
        assertEquals(100, b.best(tokens(4, 100)).common());
        assertEquals(100, b.best(tokens(6, 100)).common());
        assertEquals(1, a.size());
        assertEquals(3 * fileBytes, b.bytes(), "b counts a's file too");
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> DiskCache.open(dir, 0, ID));
        assertThrows(IllegalArgumentException.class, () -> DiskCache.open(dir, 1, ""));
    }

    private Path pathOf(DiskCache cache, int[] tokens) {
        DiskCache.Hit hit = cache.best(tokens);
        assertEquals(tokens.length, hit.common());
        return hit.file();
    }

    private static void flipByte(Path file, long at) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x5a);
        }
    }
}
