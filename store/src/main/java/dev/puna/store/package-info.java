/**
 * Puna's model store: Ollama's on-disk layout, names, manifests and blobs, and the operations the HTTP server and
 * the CLI expose (list, show, create, copy, delete, blobs, pull and push).
 *
 * <p>Entry points: {@link dev.puna.store.ModelStore} (local operations), {@link dev.puna.store.RegistryClient}
 * (pull and push over the OCI distribution protocol) and {@link dev.puna.store.Modelfile} (parse and render).
 * Every operation takes plain request objects and reports progress through a
 * {@link dev.puna.store.ProgressListener} with records shaped like Ollama's progress objects, so each HTTP route is
 * a thin adapter. Errors are subclasses of {@link dev.puna.store.StoreException}, each with the HTTP status the
 * server should answer with.
 */
package dev.puna.store;
