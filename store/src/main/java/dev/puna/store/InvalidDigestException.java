package dev.puna.store;

/** A digest does not match {@code ^sha256[:-][0-9a-f]{64}$}; HTTP 400. */
public final class InvalidDigestException extends StoreException {
    private static final long serialVersionUID = 1L;

    /** @param digest the rejected digest, as given */
    public InvalidDigestException(String digest) {
        super("invalid digest '%s': expected sha256:<64 lowercase hex digits>"
                .formatted(InvalidModelNameException.printable(digest)));
    }

    @Override
    public int httpStatus() {
        return 400;
    }
}
