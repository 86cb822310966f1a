/**
 * OpenAI's {@code /v1/*} routes (chat completions, legacy completions, embeddings, models) and their response and
 * error shapes, on the shared machinery of {@code dev.puna.http.internal}.
 */
package dev.puna.http.internal.openai;
