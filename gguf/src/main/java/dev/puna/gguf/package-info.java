/**
 * Reading and writing GGUF, the file format of llama.cpp models, in pure Java.
 *
 * <p>{@link dev.puna.gguf.GgufFile} reads and validates a file's header (metadata and tensor descriptions) without
 * loading tensor data, for model listings and for clear errors before a file reaches native code.
 * {@link dev.puna.gguf.GgufWriter} writes files, mainly the small generated models tests run against.
 */
package dev.puna.gguf;
