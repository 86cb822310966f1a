package dev.puna.store;

/**
 * A request the store cannot carry out as given: an unknown parameter or a value of the wrong type, an unknown
 * quantization type, a source model that cannot be quantized, a file that is not GGUF, a message with an unknown
 * role, neither {@code from} nor {@code files}. The message names the offending field. HTTP 400.
 */
public class InvalidRequestException extends StoreException {
    private static final long serialVersionUID = 1L;

    /** A bad request described by {@code message}, which names the offending field. */
    public InvalidRequestException(String message) {
        super(message);
    }

    /** A bad request described by {@code message}, found because of {@code cause}. */
    public InvalidRequestException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public int httpStatus() {
        return 400;
    }
}
