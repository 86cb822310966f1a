package dev.puna.store;

/**
 * A registry answered with an error (or could not be reached) during a pull or push. Carries the registry's HTTP
 * status and, when the registry sent an OCI error body, its first error code (e.g. {@code MANIFEST_UNKNOWN},
 * {@code BLOB_UPLOAD_INVALID}).
 */
public final class RegistryException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final int registryStatus;
    private final String errorCode;

    /**
     * @param message what failed, with the registry's error code and message when it sent them
     * @param registryStatus the registry's HTTP status, or 0 when the failure was no error status (unreachable,
     *     a broken connection, an invalid answer)
     * @param errorCode the OCI error code, or null
     * @param cause the underlying exception, or null
     */
    public RegistryException(String message, int registryStatus, String errorCode, Throwable cause) {
        super(message, cause);
        this.registryStatus = registryStatus;
        this.errorCode = errorCode;
    }

    /** The registry's HTTP status, or 0 when the failure was no error status (unreachable, broken, invalid). */
    public int registryStatus() {
        return registryStatus;
    }

    /** The registry's OCI error code, or null when it sent none. */
    public String errorCode() {
        return errorCode;
    }

    /**
     * 404 when the registry does not have the model, 401/403 when it refused access, 502 for every other registry
     * failure (the server itself is fine; its upstream is not).
     */
    @Override
    public int httpStatus() {
        return switch (registryStatus) {
            case 401, 403, 404 -> registryStatus;
            default -> 502;
        };
    }
}
