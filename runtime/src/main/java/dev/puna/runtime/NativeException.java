package dev.puna.runtime;

/** llama.cpp reported a failure that is not the caller's fault (allocation failure, decode error code, ...). */
public final class NativeException extends PunaException {
    private static final long serialVersionUID = 1L;

    public NativeException(String message) {
        super(message);
    }
}
