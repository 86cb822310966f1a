package dev.puna.runtime;

/**
 * The model's special token ids; {@link #NONE} ({@code -1}) when the model does not define one.
 *
 * @param bos beginning of sequence
 * @param eos end of sequence
 * @param eot end of turn
 * @param nl newline
 * @param pad padding
 * @param fimPrefix fill-in-the-middle prefix marker
 * @param fimSuffix fill-in-the-middle suffix marker
 * @param fimMiddle fill-in-the-middle middle marker
 * @param fimPad fill-in-the-middle padding
 * @param fimRepo repository-name marker
 * @param fimSeparator file separator
 * @param addBos whether the tokenizer adds BOS to a prompt
 * @param addEos whether the tokenizer adds EOS to a prompt
 */
public record SpecialTokens(int bos, int eos, int eot, int nl, int pad, int fimPrefix, int fimSuffix,
                            int fimMiddle, int fimPad, int fimRepo, int fimSeparator, boolean addBos,
                            boolean addEos) {
    /** Id of an absent special token. */
    public static final int NONE = -1;

    /** Whether the model can do fill-in-the-middle (it has prefix, suffix and middle markers). */
    public boolean supportsFim() {
        return fimPrefix != NONE && fimSuffix != NONE && fimMiddle != NONE;
    }
}
