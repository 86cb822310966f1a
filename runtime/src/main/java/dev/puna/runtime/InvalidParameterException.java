package dev.puna.runtime;

/**
 * A parameter value is outside its legal range (negative top_k, NaN temperature, zero context, ...). Thrown
 * before anything reaches native code. {@link #parameter()} names the offending parameter the way users write
 * it (Ollama option names where one exists, e.g. {@code top_k}). Subclasses add detail for particular kinds of
 * parameter (JSON schemas, completion templates); every one of them is a client error.
 */
public class InvalidParameterException extends PunaException {
    private static final long serialVersionUID = 1L;
    private final String parameter;

    public InvalidParameterException(String parameter, String message) {
        super(parameter + ": " + message);
        this.parameter = parameter;
    }

    /** The name of the rejected parameter. */
    public String parameter() {
        return parameter;
    }

    /** Throws unless {@code condition} holds. */
    public static void require(boolean condition, String parameter, String message) {
        if (!condition) {
            throw new InvalidParameterException(parameter, message);
        }
    }
}
