package dev.puna.store;

/**
 * Content did not hash to the digest it was announced with: an uploaded blob (HTTP 400, Ollama's answer to
 * {@code POST /api/blobs}) or a blob downloaded from a registry (the pull fails and writes no manifest; the
 * server reports it like any other pull error).
 */
public final class DigestMismatchException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final Digest expected;
    private final Digest actual;

    /**
     * @param expected the digest the content was announced with
     * @param actual what it hashed to
     * @param what the content ("uploaded blob", "downloaded blob", ...)
     */
    public DigestMismatchException(Digest expected, Digest actual, String what) {
        super("digest mismatch for %s: expected %s, got %s".formatted(what, expected, actual));
        this.expected = expected;
        this.actual = actual;
    }

    /** The digest the content was announced with. */
    public Digest expected() {
        return expected;
    }

    /** What the content actually hashed to. */
    public Digest actual() {
        return actual;
    }

    @Override
    public int httpStatus() {
        return 400;
    }
}
