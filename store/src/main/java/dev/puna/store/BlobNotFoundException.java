package dev.puna.store;

/**
 * A request names a blob the store does not have, e.g. a {@code files} entry of a create request whose blob was
 * never uploaded. HTTP 400 for create (the client must upload first); a {@code HEAD /api/blobs} route answers 404
 * through {@link ModelStore#hasBlob} instead.
 */
public final class BlobNotFoundException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final Digest digest;

    /**
     * @param digest the missing blob
     * @param what what the request calls it (a file name)
     */
    public BlobNotFoundException(Digest digest, String what) {
        super("blob %s (%s) not found; upload it first".formatted(digest, what));
        this.digest = digest;
    }

    /** The missing blob. */
    public Digest digest() {
        return digest;
    }

    @Override
    public int httpStatus() {
        return 400;
    }
}
