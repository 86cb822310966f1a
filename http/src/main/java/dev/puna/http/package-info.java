/**
 * Puna's HTTP server, public API: {@link dev.puna.http.PunaServer} (start/stop), its settings
 * {@link dev.puna.http.ServerConfig} (read from {@code PUNA_*} variables), and the seam through which it finds
 * models, {@link dev.puna.http.ModelCatalog} with {@link dev.puna.http.CatalogModel} and
 * {@link dev.puna.http.ModelDetails}; {@link dev.puna.http.GgufDirectoryCatalog} serves a folder of GGUF files.
 *
 * <p>Everything else lives in {@code dev.puna.http.internal} (shared serving machinery: scheduler, error
 * hierarchy, generation streaming, router) and one package per API family ({@code internal.ollama}).
 */
package dev.puna.http;
