package dev.puna.http;

import dev.puna.runtime.PunaException;

/**
 * A server setting is invalid: thrown at startup, before anything listens. The message names the environment
 * variable (or setting) and the value that was rejected.
 */
public final class ServerConfigException extends PunaException {
    private static final long serialVersionUID = 1L;

    private final String setting;

    /**
     * @param setting the variable or setting, e.g. {@code PUNA_NUM_PARALLEL}
     * @param message what is wrong with it
     */
    public ServerConfigException(String setting, String message) {
        super(setting + ": " + message);
        this.setting = setting;
    }

    /** The rejected variable or setting, e.g. {@code PUNA_HOST}. */
    public String setting() {
        return setting;
    }
}
