/**
 * The prompt cache's disk tier: KV-cache sequences kept in files so that a conversation survives a restart of the
 * server.
 *
 * <p>{@link dev.puna.runtime.cache.DiskCache} stores one sequence's llama.cpp state per file, keyed by the tokens it
 * holds and checked against an identity string (the model, the llama.cpp build and the context settings the state
 * depends on) so that state from another model or llama.cpp version is never loaded. Applications turn it on with
 * {@link dev.puna.runtime.EngineParams.Builder#diskCache}; the engine alone reads and writes it.
 */
package dev.puna.runtime.cache;
