package dev.puna.runtime;

/**
 * A llama.cpp RPC worker a model uses could not be reached, or was lost while the model ran. Not the caller's
 * fault; a model whose worker was lost stays unusable (its weights were on the worker) until it is loaded again
 * on workers that answer.
 */
public final class RpcWorkerException extends PunaException {
    private static final long serialVersionUID = 1L;

    public RpcWorkerException(String message) {
        super(message);
    }
}
