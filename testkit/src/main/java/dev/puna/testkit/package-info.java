/**
 * Generated llama-architecture GGUF models for tests, demos and benchmarks: {@link dev.puna.testkit.TestModels}
 * holds the standard ones, {@link dev.puna.testkit.ScriptedModel} makes models whose greedy output is scripted, and
 * {@link dev.puna.testkit.RandomModel} makes realistic-size random ones.
 */
package dev.puna.testkit;
