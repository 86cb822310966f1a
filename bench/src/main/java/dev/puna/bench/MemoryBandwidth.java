package dev.puna.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Measures memory read bandwidth: {@code threads} threads sum disjoint parts of a buffer much larger than the
 * caches. Batch-1 decoding reads every weight once per token, so model bytes / bandwidth is the fastest a token
 * can be produced on this machine.
 */
final class MemoryBandwidth {
    private MemoryBandwidth() {
    }

    /** Best of a few passes, in bytes per second. */
    static double measure(int threads, long bytes) throws Exception {
        try (Arena arena = Arena.ofShared(); ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            MemorySegment buffer = arena.allocate(bytes, 64);
            buffer.fill((byte) 1);
            double best = 0;
            for (int pass = 0; pass < 5; pass++) {
                long part = bytes / threads / 8 * 8;
                long start = System.nanoTime();
                List<Future<Long>> sums = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    MemorySegment slice = buffer.asSlice(t * part, part);
                    sums.add(pool.submit(() -> sum(slice)));
                }
                long total = 0;
                for (Future<Long> f : sums) {
                    total += f.get();
                }
                long elapsed = System.nanoTime() - start;
                if (total == 42) {
                    System.out.print(""); // keeps the sums alive
                }
                best = Math.max(best, part * threads * 1e9 / elapsed);
            }
            return best;
        }
    }

    private static long sum(MemorySegment s) {
        long n = s.byteSize() / 8;
        long a = 0;
        long b = 0;
        long c = 0;
        long d = 0;
        long i = 0;
        for (; i + 4 <= n; i += 4) {
            a += s.getAtIndex(ValueLayout.JAVA_LONG, i);
            b += s.getAtIndex(ValueLayout.JAVA_LONG, i + 1);
            c += s.getAtIndex(ValueLayout.JAVA_LONG, i + 2);
            d += s.getAtIndex(ValueLayout.JAVA_LONG, i + 3);
        }
        return a + b + c + d;
    }
}
