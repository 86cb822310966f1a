package dev.puna.store;

/**
 * The calling thread was interrupted (e.g. the HTTP client went away) and the operation stopped. Whatever it had
 * finished stays consistent: blobs are either complete or absent, a pull keeps its partial download for a later
 * resume, and no manifest was half written. HTTP 499, Ollama's status for a cancelled request.
 */
public final class OperationCancelledException extends StoreException {
    private static final long serialVersionUID = 1L;

    /** @param what the operation that stopped */
    public OperationCancelledException(String what) {
        super(what + " cancelled");
    }

    @Override
    public int httpStatus() {
        return 499;
    }
}
