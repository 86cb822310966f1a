package dev.puna.store;

/** No model of that name in the store (nor in the read-only Ollama store); HTTP 404, Ollama's message. */
public final class ModelNotFoundException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final String name;

    /** @param name the name that was looked up, as given */
    public ModelNotFoundException(String name) {
        super("model '%s' not found".formatted(InvalidModelNameException.printable(name)));
        this.name = name;
    }

    /** The name that was looked up, as given. */
    public String name() {
        return name;
    }

    @Override
    public int httpStatus() {
        return 404;
    }
}
