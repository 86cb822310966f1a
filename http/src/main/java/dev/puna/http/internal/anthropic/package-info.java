/**
 * Anthropic's Messages API ({@code /v1/messages}, {@code /v1/messages/count_tokens}) and its response, event and
 * error shapes, on the shared chat machinery of {@code dev.puna.http.internal} (prompt templates, output plans, the
 * scheduler and generation streams).
 */
package dev.puna.http.internal.anthropic;
