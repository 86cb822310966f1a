package dev.puna.cli;

import dev.puna.http.ServerConfigException;
import dev.puna.runtime.InvalidParameterException;
import dev.puna.runtime.PunaException;
import dev.puna.store.StoreException;
import java.io.PrintWriter;
import org.apache.logging.log4j.LogManager;
import picocli.CommandLine;

/**
 * Turns typed exceptions into one-line messages and exit codes, like Ollama's CLI prints "Error: ...": 2 for bad
 * settings, 1 for failures (the server not running or answering with an error, a bad Modelfile or model name).
 * Unexpected exceptions keep their stack trace: those are bugs. With JSON logs ({@code PUNA_LOG_FORMAT=json}) the
 * same message is an error event of the logger {@code dev.puna.serve}, so that stderr stays one JSON object a line.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        return report(e, cmd.getErr());
    }

    /** Reports {@code e} on {@code err} (or as a JSON log event) and returns the exit code. */
    static int report(Exception e, PrintWriter err) {
        if (LogSetup.json()) {
            int exit = exitCode(e);
            LogManager.getLogger("dev.puna.serve").error("Error: {}", message(e), exit == 1 && unexpected(e) ? e : null);
            return exit;
        }
        if (e instanceof InvalidParameterException || e instanceof ServerConfigException) {
            err.println("Error: " + e.getMessage());
            return 2;
        }
        if (e instanceof PunaException || e instanceof IllegalStateException || e instanceof CliException
                || e instanceof StoreException) {
            err.println("Error: " + e.getMessage());
            return 1;
        }
        if (e instanceof java.nio.file.NoSuchFileException nsf) {
            err.println("Error: no such file: " + nsf.getFile());
            return 1;
        }
        if (e instanceof java.nio.file.AccessDeniedException ade) {
            err.println("Error: permission denied: " + ade.getFile());
            return 1;
        }
        if (e instanceof java.io.IOException) {
            err.println("Error: " + e.getMessage());
            return 1;
        }
        err.println("Error: unexpected failure: " + e);
        e.printStackTrace(err);
        return 1;
    }

    private static boolean unexpected(Exception e) {
        return !(e instanceof PunaException || e instanceof IllegalStateException || e instanceof CliException
                || e instanceof StoreException || e instanceof java.io.IOException);
    }

    private static int exitCode(Exception e) {
        return e instanceof InvalidParameterException || e instanceof ServerConfigException ? 2 : 1;
    }

    /** The text after {@code Error: }, as the plain-text branches print it. */
    private static String message(Exception e) {
        if (e instanceof java.nio.file.NoSuchFileException nsf) {
            return "no such file: " + nsf.getFile();
        }
        if (e instanceof java.nio.file.AccessDeniedException ade) {
            return "permission denied: " + ade.getFile();
        }
        return unexpected(e) ? "unexpected failure: " + e : e.getMessage();
    }
}
