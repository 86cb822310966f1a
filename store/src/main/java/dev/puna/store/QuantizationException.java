package dev.puna.store;

/**
 * Quantizing during create failed: no {@link Quantizer} is configured (HTTP 501), or the quantizer failed or
 * produced an unusable file (HTTP 500). Bad quantize requests (unknown type, a source that is not F32, F16 or BF16)
 * are {@link InvalidRequestException}s instead.
 */
public final class QuantizationException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final int status;

    /**
     * @param message what failed
     * @param status 501 when no quantizer is configured, else 500
     * @param cause the quantizer's exception, or null
     */
    public QuantizationException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    @Override
    public int httpStatus() {
        return status;
    }
}
