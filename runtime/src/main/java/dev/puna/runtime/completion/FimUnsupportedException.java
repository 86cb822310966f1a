package dev.puna.runtime.completion;

import dev.puna.runtime.InvalidParameterException;

/**
 * The model cannot fill in the middle: it lacks one of the fill-in-the-middle prefix, suffix and middle tokens
 * ({@code tokenizer.ggml.fim_pre_token_id} and friends in its GGUF metadata). A client error: the request asked for
 * a suffix (or a code completion without a configured template) from a model that cannot do it.
 */
public final class FimUnsupportedException extends InvalidParameterException {
    private static final long serialVersionUID = 1L;

    /**
     * @param parameter the request parameter that asked for fill-in-the-middle, e.g. {@code suffix}
     * @param model the model's name, for the message
     */
    public FimUnsupportedException(String parameter, String model) {
        super(parameter, "model '" + model + "' does not support fill-in-the-middle: it has no FIM prefix, suffix "
                + "and middle tokens");
    }
}
