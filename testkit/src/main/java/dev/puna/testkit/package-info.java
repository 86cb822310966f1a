/**
 * Test support shared by Puna's modules. Generated llama-architecture GGUF models for tests, demos and benchmarks:
 * {@link dev.puna.testkit.TestModels} holds the standard ones, {@link dev.puna.testkit.ScriptedModel} makes models
 * whose greedy output is scripted, and {@link dev.puna.testkit.RandomModel} makes realistic-size random ones. For
 * transfer tests: {@link dev.puna.testkit.RegistryServer} runs a real OCI registry on a loopback port and
 * {@link dev.puna.testkit.TcpProxy} counts, throttles or cuts the traffic to it.
 */
package dev.puna.testkit;
