package dev.puna.cli.archfixture;

import dev.puna.bindings.NativeLibrary;
import java.nio.file.Path;

/** Breaks the no-bindings rule and the layering on purpose (test fixture for ArchitectureTest). */
public final class BindingsUser {
    private BindingsUser() {
    }

    /** Calls into the bindings from CLI code. */
    public static Path libraries() {
        return NativeLibrary.loadedFrom();
    }
}
