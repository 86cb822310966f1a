/**
 * Go's {@code text/template} as Ollama's prompt templates use it ({@link dev.puna.http.internal.gotemplate.GoTemplate}),
 * and Ollama's way of running a model's template over a conversation
 * ({@link dev.puna.http.internal.gotemplate.OllamaTemplate}). Internal to the server.
 */
package dev.puna.http.internal.gotemplate;
