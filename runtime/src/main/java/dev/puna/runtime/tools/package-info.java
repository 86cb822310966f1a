/**
 * Tool calling: finding tool calls in a model's output, whole or streaming ({@link dev.puna.runtime.tools.ToolCallParser},
 * {@link dev.puna.runtime.tools.ToolCallStream}), in the format the model's chat template teaches
 * ({@link dev.puna.runtime.tools.ToolCallFormat#detect}), and forcing calls with a grammar for {@code tool_choice}
 * {@code required} or a named function ({@link dev.puna.runtime.tools.ToolGrammar}).
 *
 * <p>Typical use by a server: {@code ToolSpec.listFrom(request tools)}; {@code ToolCallFormat.detect(model chat
 * template)}; {@code ToolGrammar.forChoice(...)} into {@code SamplingParams.grammar}; a {@code ToolCallParser}
 * with the tool names, and one {@code stream()} per generation fed each token event's text.
 */
package dev.puna.runtime.tools;
