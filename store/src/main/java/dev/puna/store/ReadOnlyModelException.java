package dev.puna.store;

/**
 * The model lives in the read-only Ollama store that this store merges into its listings; Puna never changes
 * that directory. HTTP 403. Copy it into Puna's store first ({@link ModelStore#copy}) to change it.
 */
public final class ReadOnlyModelException extends StoreException {
    private static final long serialVersionUID = 1L;

    /**
     * @param name the model, as given
     * @param root the read-only store it lives in
     */
    public ReadOnlyModelException(String name, String root) {
        super("model '%s' is in the read-only Ollama store %s; Puna does not change it"
                .formatted(InvalidModelNameException.printable(name), root));
    }

    @Override
    public int httpStatus() {
        return 403;
    }
}
