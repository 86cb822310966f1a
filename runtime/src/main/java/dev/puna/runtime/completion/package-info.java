/**
 * Code-completion prompts: fill-in-the-middle from a prefix and a suffix ({@link dev.puna.runtime.completion.FillInMiddle}),
 * and CodeInferflow-style completion requests ({@link dev.puna.runtime.completion.CodeCompletionPrompt}) rendered
 * through a per-model {@link dev.puna.runtime.completion.CompletionTemplate} into prompt tokens.
 *
 * <p>Typical use by a server for {@code /api/generate}: with a {@code suffix}, {@code FillInMiddle.prompt(model,
 * prompt, suffix)}; otherwise, if {@code CodeCompletionPrompt.parse(prompt)} finds a code-completion prompt, render it
 * with the model's configured template ({@code CompletionTemplate.parse(configured)}) or
 * {@code CompletionTemplate.defaultFor(model)}; the token count of the result is the response's {@code input_tokens}.
 */
package dev.puna.runtime.completion;
