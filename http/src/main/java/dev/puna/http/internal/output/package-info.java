/**
 * What a request asks of the model's output, shared by every API family: structured output
 * ({@link dev.puna.http.internal.output.AnswerFormat}: Ollama's {@code format}, OpenAI's {@code response_format}),
 * tools ({@link dev.puna.http.internal.output.OutputPlan}: which grammar enforces the request on a given model, whether
 * the prompt lists the tools, how tool calls are read back) and, per generation, the split of the streamed text into
 * content and tool calls ({@link dev.puna.http.internal.output.ReplyStream}). Each family only maps the resulting
 * {@link dev.puna.runtime.tools.ToolCallEvent}s and {@link dev.puna.runtime.tools.ParsedOutput}s onto its own JSON.
 * Not API.
 */
package dev.puna.http.internal.output;
