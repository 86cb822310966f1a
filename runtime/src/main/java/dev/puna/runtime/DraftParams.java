package dev.puna.runtime;

/**
 * How an {@link Engine} speculates with its draft model, named as Ollama-style options after llama-server's settings:
 * {@code draftMax} ({@code --spec-draft-n-max}, formerly {@code --draft-max}) tokens drafted per step at most,
 * {@code draftMin} ({@code --spec-draft-n-min}) the fewest worth verifying (a shorter draft is dropped), and
 * {@code draftPMin} ({@code --spec-draft-p-min}) the draft model's least confidence in a token to go on drafting.
 * Defaults are the pinned llama-server's: 3, 0, 0.
 *
 * @throws InvalidParameterException for a value out of range
 */
public record DraftParams(int draftMax, int draftMin, float draftPMin) {
    /** The pinned llama-server's defaults. */
    public static final DraftParams DEFAULTS = new DraftParams(3, 0, 0f);

    public DraftParams {
        InvalidParameterException.require(draftMax >= 1 && draftMax <= 64, "draft_max",
                "must be between 1 and 64, got " + draftMax);
        InvalidParameterException.require(draftMin >= 0 && draftMin <= draftMax, "draft_min",
                "must be between 0 and draft_max (" + draftMax + "), got " + draftMin);
        InvalidParameterException.require(draftPMin >= 0 && draftPMin <= 1, "draft_p_min",
                "must be between 0 and 1, got " + draftPMin);
    }
}
