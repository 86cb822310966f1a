package dev.puna.runtime;

import java.util.List;

/**
 * Log-probability of a generated token under the model's raw distribution (before temperature and other
 * samplers), with the most likely alternatives when requested.
 *
 * @param token the token id
 * @param text the token's text (may be part of a multi-byte character, then decoded leniently)
 * @param bytes the token's exact bytes
 * @param logprob natural log of its probability
 * @param top the {@code n} most likely tokens at this position, most likely first (empty when not requested)
 */
public record TokenLogprob(int token, String text, byte[] bytes, double logprob, List<TokenLogprob> top) {
    public TokenLogprob {
        top = List.copyOf(top);
    }
}
