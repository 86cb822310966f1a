/**
 * Images in prompts, through llama.cpp's {@code libmtmd}.
 *
 * <p>A {@link dev.puna.runtime.vision.Projector} is a model's image projector ("mmproj" GGUF): loaded next to its
 * {@link dev.puna.runtime.Model}, it tokenizes a prompt whose text marks where images go
 * ({@link dev.puna.runtime.vision.Projector#marker()}) into a {@link dev.puna.runtime.vision.VisionPrompt} of
 * {@link dev.puna.runtime.vision.TextChunk}s and {@link dev.puna.runtime.vision.ImageChunk}s, and encodes an image
 * chunk into embeddings of the text model's width. An {@link dev.puna.runtime.vision.Image} is the file bytes of a
 * PNG, JPEG, GIF or WebP picture, checked on creation; bad image data is an
 * {@link dev.puna.runtime.vision.InvalidImageException} (a client error).
 *
 * <p>{@code dev.puna.runtime.vision.internal} holds the engine's entry point, which takes a native llama context and
 * is not API.
 */
package dev.puna.runtime.vision;
