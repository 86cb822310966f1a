package dev.puna.runtime;

import java.nio.file.Path;

/** A well-formed GGUF file whose architecture (or other feature) this llama.cpp build cannot run. */
public final class UnsupportedModelException extends ModelLoadException {
    private static final long serialVersionUID = 1L;

    public UnsupportedModelException(Path path, String reason) {
        super(path, reason);
    }
}
