package dev.puna.bench;

import java.util.SplittableRandom;

/**
 * Prompts for the benchmark model. Its vocabulary holds every piece {@code ▁a .. ▁z, ▁aa .. ▁zz}, so a text of
 * one- and two-letter words costs one token per word, and a random first word keeps two prompts from sharing a
 * cached prefix.
 */
final class Prompts {
    private final SplittableRandom random;

    Prompts(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** About {@code words} tokens of random words. */
    String words(int words) {
        StringBuilder b = new StringBuilder(words * 3);
        for (int i = 0; i < words; i++) {
            if (i > 0) {
                b.append(' ');
            }
            b.append((char) ('a' + random.nextInt(26)));
            if (random.nextBoolean()) {
                b.append((char) ('a' + random.nextInt(26)));
            }
        }
        return b.toString();
    }
}
