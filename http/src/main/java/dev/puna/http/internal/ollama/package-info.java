/** Ollama's {@code /api/*} routes and response shapes, on the shared machinery of {@code dev.puna.http.internal}. */
package dev.puna.http.internal.ollama;
