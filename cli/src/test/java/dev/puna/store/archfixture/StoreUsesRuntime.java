package dev.puna.store.archfixture;

import dev.puna.runtime.LlamaCpp;

/** Breaks the layering on purpose: the store must not depend on the runtime (test fixture for ArchitectureTest). */
public final class StoreUsesRuntime {
    private StoreUsesRuntime() {
    }

    /** Reaches sideways from the store into the runtime. */
    public static String release() {
        return LlamaCpp.release() + "";
    }
}
