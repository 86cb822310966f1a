/**
 * Constrained output: GBNF grammars for llama.cpp's grammar sampler that make a model write JSON, any JSON or JSON
 * valid against a JSON schema ({@link dev.puna.runtime.grammar.JsonSchemaGrammar}). Schemas that cannot be enforced
 * are refused with {@link dev.puna.runtime.grammar.UnsupportedSchemaException}, malformed ones with
 * {@link dev.puna.runtime.grammar.InvalidSchemaException}; both are
 * {@link dev.puna.runtime.InvalidParameterException}s (client errors).
 *
 * <p>{@code dev.puna.runtime.grammar.internal} holds the converter and GBNF helpers; it is not API (the tool-call
 * grammars reuse it).
 */
package dev.puna.runtime.grammar;
