package dev.puna.runtime.vision;

import dev.puna.runtime.InvalidParameterException;

/**
 * How to load a {@link Projector}.
 *
 * @param gpu run the projector on the GPU when this llama.cpp build has one (ignored by a CPU-only build)
 * @param threads CPU threads for image encoding
 * @param warmup encode one blank image while loading, so the first request does not pay for building the
 *     compute graph and allocating its buffers
 */
public record ProjectorParams(boolean gpu, int threads, boolean warmup) {
    public ProjectorParams {
        InvalidParameterException.require(threads >= 1 && threads <= 1024, "projector_threads",
                "must be between 1 and 1024, got " + threads);
    }

    /** GPU when available, as many threads as cores (at most 8), warm-up on. */
    public static ProjectorParams defaults() {
        return new ProjectorParams(true, Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors())), true);
    }
}
