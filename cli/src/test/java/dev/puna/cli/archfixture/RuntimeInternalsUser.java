package dev.puna.cli.archfixture;

import dev.puna.runtime.internal.Backend;

/** Breaks the runtime-internals rule on purpose (test fixture for ArchitectureTest). */
public final class RuntimeInternalsUser {
    private RuntimeInternalsUser() {
    }

    /** Reaches into the runtime's internals from CLI code. */
    public static String lastError() {
        return Backend.lastError();
    }
}
