/**
 * Puna's HTTP server, public API: {@link dev.puna.http.PunaServer} (start/stop over a
 * {@link dev.puna.store.ModelStore}, {@link dev.puna.http.PunaServer#openStore} for the store its settings name),
 * its settings {@link dev.puna.http.ServerConfig} (read from {@code PUNA_*} variables), and the seam through which
 * the inference routes find models, {@link dev.puna.http.ModelCatalog} with {@link dev.puna.http.CatalogModel} and
 * {@link dev.puna.http.ModelDetails} (the store's adapter, or a fixed catalog for embedding and tests).
 *
 * <p>Everything else lives in {@code dev.puna.http.internal} (shared serving machinery: scheduler, error
 * hierarchy, generation and progress streaming, router, the store adapter) and one package per API family
 * ({@code internal.ollama}).
 */
package dev.puna.http;
