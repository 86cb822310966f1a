package dev.puna.runtime;

import java.nio.file.Path;

/**
 * A model file could not be loaded: missing, a directory, not GGUF, truncated, corrupt, or rejected by
 * llama.cpp. The message always names the file.
 */
public class ModelLoadException extends PunaException {
    private static final long serialVersionUID = 1L;
    private final transient Path path;

    public ModelLoadException(Path path, String reason) {
        super(path + ": " + reason);
        this.path = path;
    }

    public ModelLoadException(Path path, String reason, Throwable cause) {
        super(path + ": " + reason, cause);
        this.path = path;
    }

    /** The file that failed to load. */
    public Path path() {
        return path;
    }
}
