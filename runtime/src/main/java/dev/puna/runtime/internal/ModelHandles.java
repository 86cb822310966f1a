package dev.puna.runtime.internal;

import dev.puna.runtime.Model;
import java.lang.foreign.MemorySegment;

/**
 * Lets runtime code outside {@code dev.puna.runtime} (the vision package's projector) borrow a {@link Model}'s
 * native handle the way a session does, without making the handle part of {@code Model}'s public API. {@code Model}
 * installs the one accessor in its static initialiser, so any caller holding a {@code Model} finds it installed.
 */
public final class ModelHandles {
    /** What {@code Model} exposes to runtime internals. */
    public interface Accessor {
        /** The {@code llama_model *}; valid only between {@link #acquire} and {@link #release}. */
        MemorySegment handle(Model model);

        /** Borrows the model (one reference, as a session holds); throws if it is closed. */
        void acquire(Model model);

        /** Returns a borrowed reference; the model is freed here if it was closed and this was the last one. */
        void release(Model model);

        /** Whether the model was loaded vocabulary-only (no weights, no hyperparameters: it cannot run). */
        boolean vocabOnly(Model model);
    }

    private static volatile Accessor accessor;

    private ModelHandles() {
    }

    /** Called once, by {@code Model}. */
    public static void install(Accessor a) {
        if (accessor != null) {
            throw new IllegalStateException("ModelHandles accessor already installed");
        }
        accessor = a;
    }

    /** The accessor; {@code Model} is necessarily initialised when a caller has a {@code Model} to pass. */
    public static Accessor get() {
        Accessor a = accessor;
        if (a == null) {
            throw new IllegalStateException("Model is not initialised");
        }
        return a;
    }
}
