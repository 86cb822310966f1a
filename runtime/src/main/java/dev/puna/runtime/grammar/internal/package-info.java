/**
 * Not API: GBNF text helpers, the shared JSON rules, and the JSON-schema-to-GBNF converter behind
 * {@link dev.puna.runtime.grammar.JsonSchemaGrammar}. Used by other runtime packages (tool-call grammars).
 */
package dev.puna.runtime.grammar.internal;
