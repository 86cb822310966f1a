package dev.puna.http;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Where the server looks up models by name: the seam between the HTTP layer and the model store.
 *
 * <p>The server checks a name's syntax (Ollama's {@code [host/][namespace/]model[:tag]} grammar) before it asks
 * the catalog, so {@link #find} only sees well-formed names; resolving defaults (host, namespace,
 * {@code latest} tag) and case-insensitivity is the catalog's job. A server over a
 * {@link dev.puna.store.ModelStore} uses an adapter over the store ({@link PunaServer#start(ServerConfig,
 * dev.puna.store.ModelStore)}); a fixed catalog can be served directly ({@link PunaServer#start(ServerConfig,
 * ModelCatalog)}), without model management.
 *
 * <p><b>Threads.</b> Both methods may do I/O and are called on worker threads, never on an event loop, possibly
 * concurrently: implementations must be thread-safe.
 */
public interface ModelCatalog {
    /**
     * The model called {@code name}, or empty when there is none (the server answers 404).
     *
     * @param name a syntactically valid model name as the client wrote it, e.g. {@code llama3} or
     *     {@code library/llama3:8b}
     * @throws IOException when the store cannot be read (the server answers 500)
     */
    Optional<CatalogModel> find(String name) throws IOException;

    /**
     * Every model, for {@code /api/tags}, in the order to list them.
     *
     * @throws IOException when the store cannot be read
     */
    List<CatalogModel> list() throws IOException;

    /**
     * The model called {@code name} if the catalog can answer from memory, without I/O, and knows the answer is
     * current; empty means "ask {@link #find}". Called on event loops, so it must not block. The default
     * knows nothing.
     */
    default Optional<CatalogModel> cached(String name) {
        return Optional.empty();
    }
}
