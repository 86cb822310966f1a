package dev.puna.runtime;

import java.nio.file.Path;

/**
 * A model file is not a valid GGUF file: Puna's own reader refused it (truncated, a count or length out of bounds,
 * a tensor outside the file or not where the format puts it, too many dimensions, an unknown type, a metadata key of
 * the wrong type), so llama.cpp never saw it. {@link #problem()} says what is wrong without the file's path.
 */
public final class InvalidModelFileException extends ModelLoadException {
    private static final long serialVersionUID = 1L;
    private final String problem;

    public InvalidModelFileException(Path path, String problem, Throwable cause) {
        super(path, problem, cause);
        this.problem = problem;
    }

    /** What is wrong with the file, e.g. {@code "truncated: tensor 'output.weight' ends at byte ..."}. */
    public String problem() {
        return problem;
    }
}
