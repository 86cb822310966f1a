package dev.puna.cli;

import dev.puna.http.ServerConfigException;
import dev.puna.runtime.InvalidParameterException;
import dev.puna.runtime.PunaException;
import picocli.CommandLine;

/**
 * Turns the runtime's typed exceptions into one-line messages and exit codes, like Ollama's CLI prints
 * "Error: ...". Unexpected exceptions keep their stack trace: those are bugs.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        if (e instanceof InvalidParameterException || e instanceof ServerConfigException) {
            cmd.getErr().println("Error: " + e.getMessage());
            return 2;
        }
        if (e instanceof PunaException || e instanceof IllegalStateException) {
            cmd.getErr().println("Error: " + e.getMessage());
            return 1;
        }
        cmd.getErr().println("Error: unexpected failure: " + e);
        e.printStackTrace(cmd.getErr());
        return 1;
    }
}
