package dev.puna.testkit;

/**
 * The SplitMix64 generator, spelled out rather than taken from {@code java.util.random}, whose algorithms the JDK
 * does not promise to keep: generated models must stay byte-identical across JDK versions.
 */
final class SplitMix64 {
    private long state;

    SplitMix64(long seed) {
        state = seed;
    }

    /** A generator for one item (a tensor row, say) of a seeded stream, independent of the order items are made in. */
    static SplitMix64 forItem(long seed, long stream, long item) {
        return new SplitMix64(new SplitMix64(seed ^ stream * 0x9E3779B97F4A7C15L).nextLong() + item);
    }

    long nextLong() {
        long z = state += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A uniform float in [-1, 1), exact in 24 bits. */
    float nextSymmetric() {
        return (nextLong() >>> 40) * 0x1p-23f - 1f;
    }
}
