package dev.puna.http.internal;

import dev.puna.runtime.ContextOverflowException;
import dev.puna.runtime.InvalidModelFileException;
import dev.puna.runtime.InvalidParameterException;
import dev.puna.runtime.ModelLoadException;
import dev.puna.runtime.PunaException;
import dev.puna.runtime.QueueFullException;
import dev.puna.runtime.ResourceClosedException;
import dev.puna.runtime.RpcWorkerException;
import dev.puna.runtime.chat.ChatTemplateException;
import dev.puna.store.StoreException;
import dev.puna.state.InvalidCursorException;
import dev.puna.state.StateException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Maps any failure onto an {@link ApiException}: the runtime's typed exceptions to the status the user's
 * mistake deserves (never a 500 for bad input), everything unexpected to a logged 500.
 */
public final class Errors {
    private static final Logger LOG = LogManager.getLogger(Errors.class);

    private Errors() {
    }

    /** The API error for {@code failure}; unexpected failures are logged with their stack trace. */
    public static ApiException toApi(Throwable failure) {
        Throwable e = unwrap(failure);
        return switch (e) {
            case ApiException api -> api;
            case InvalidParameterException ipe -> ApiException.badParameter(ipe.parameter(), ipe.getMessage());
            case ContextOverflowException coe -> ApiException.badParameter("num_ctx", coe.getMessage());
            case QueueFullException qfe -> ApiException.unavailable(qfe.getMessage(), 1);
            case ChatTemplateException cte when cte.raisedByTemplate() ->
                    ApiException.badRequest("the chat template rejected the messages: " + cte.getMessage());
            case ChatTemplateException cte -> ApiException.internal("the model's chat template failed: "
                    + cte.getMessage(), cte);
            case InvalidModelFileException bad ->
                    ApiException.badRequest("the model file is not a valid GGUF file: " + bad.problem());
            case ModelLoadException mle -> ApiException.internal("cannot load the model: " + mle.getMessage(), mle);
            case StoreException se -> store(se);
            case InvalidCursorException ice -> ApiException.badParameter(ice.parameter(), ice.getMessage());
            case StateException se -> {
                LOG.error("state database operation failed", se);
                yield ApiException.internal("the state database failed: " + se.getMessage(), se);
            }
            case ResourceClosedException rce ->
                    // The model was unloaded under a request (server shutting down): retry is the right answer.
                    ApiException.unavailable("the model was unloaded while the request ran: " + rce.getMessage(), 1);
            case RpcWorkerException rwe -> {
                // A worker the model is split over is down: the server works, its upstream does not (502).
                LOG.warn("request failed: {}", rwe.getMessage());
                yield ApiException.ofStatus(502, rwe.getMessage());
            }
            case PunaException pe -> {
                LOG.error("request failed", pe);
                yield ApiException.internal(pe.getMessage(), pe);
            }
            default -> {
                LOG.error("unexpected failure", e);
                yield ApiException.internal("internal error: " + e, e);
            }
        };
    }

    /** The model store chose the status ({@link StoreException#httpStatus()}); its own faults are logged. */
    private static ApiException store(StoreException e) {
        int status = e.httpStatus();
        if (status == 500) {
            LOG.error("model store operation failed", e);
        }
        return ApiException.ofStatus(status, e.getMessage());
    }

    /** The exception inside completion wrappers. */
    public static Throwable unwrap(Throwable failure) {
        Throwable e = failure;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
