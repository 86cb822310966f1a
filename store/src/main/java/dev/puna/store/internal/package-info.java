/**
 * The store's machinery: directory layout and atomic writes, locks and blob pins, Go-compatible JSON, manifest
 * and config codecs, GGUF facts, parameters, create, show and pruning. Not API: only {@code dev.puna.store} uses it.
 */
package dev.puna.store.internal;
