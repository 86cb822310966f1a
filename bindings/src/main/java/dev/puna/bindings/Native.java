package dev.puna.bindings;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The one place that performs "restricted" FFM operations (linking, upcall stubs, reinterpreting raw
 * pointers). Everything else in Puna goes through these helpers, so the audit surface for native access is this
 * file. Internal to Puna: only {@code puna-runtime} may use it.
 */
@SuppressWarnings("restricted")
public final class Native {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final List<Binding> BINDINGS = Collections.synchronizedList(new ArrayList<>());

    /** {@code char *} whose target length is unknown until read. */
    public static final AddressLayout C_POINTER = ValueLayout.ADDRESS;

    private Native() {
    }

    /** A bound function: its C name and the descriptor the Java side calls it with. */
    public record Binding(String name, FunctionDescriptor descriptor) {
    }

    /**
     * Resolves {@code name} in the loaded llama.cpp libraries and links it with {@code descriptor}. Called from
     * static initialisers so each handle is resolved exactly once.
     *
     * @throws UnsatisfiedLinkError naming the symbol when the library does not export it (an ABI mismatch with
     *     the llama.cpp release these bindings were written against)
     */
    static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return downcall(NativeLibrary.lookup(), name, descriptor, options);
    }

    /** As {@link #downcall(String, FunctionDescriptor, Linker.Option...)}, for a symbol of {@code libmtmd}. */
    static MethodHandle mtmdDowncall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return downcall(NativeLibrary.mtmdLookup(), name, descriptor, options);
    }

    private static MethodHandle downcall(SymbolLookup lookup, String name, FunctionDescriptor descriptor,
                                         Linker.Option... options) {
        MemorySegment symbol = lookup.find(name).orElseThrow(() -> new UnsatisfiedLinkError(
                "llama.cpp symbol '" + name + "' not found in " + NativeLibrary.loadedFrom()
                        + "; the library is not the llama.cpp release Puna's bindings were written for ("
                        + NativeLibrary.LLAMA_CPP_RELEASE + ")"));
        BINDINGS.add(new Binding(name, descriptor));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    /** Opens a shared library for the life of the JVM (dlopen; never closed, see {@link NativeLibrary}). */
    static SymbolLookup openLibrary(java.nio.file.Path path) {
        return SymbolLookup.libraryLookup(path, Arena.global());
    }

    /**
     * Every function bound (all of {@link Llama}, {@link GgmlDevices}, {@link Mtmd} and {@link GgmlRpc}, which this
     * initialises); for the ABI tests.
     */
    public static List<Binding> bindings() {
        Llama.ensureLinked();
        GgmlDevices.ensureLinked();
        Mtmd.ensureLinked();
        GgmlRpc.ensureLinked();
        synchronized (BINDINGS) {
            return List.copyOf(BINDINGS);
        }
    }

    /**
     * Creates an upcall stub for {@code target} (a static method handle) in {@code arena}. The caller must keep
     * the arena open for as long as native code may call the stub, and the target must never throw: an exception
     * escaping an upcall terminates the JVM.
     */
    public static MemorySegment upcall(MethodHandle target, FunctionDescriptor descriptor, Arena arena) {
        return LINKER.upcallStub(target, descriptor, arena);
    }

    /** Looks up a static method of the class behind {@code lookup} (the caller's) for use as an upcall target. */
    public static MethodHandle findStatic(MethodHandles.Lookup lookup, String method, MethodType type) {
        Class<?> owner = lookup.lookupClass();
        try {
            return lookup.findStatic(owner, method, type);
        } catch (ReflectiveOperationException e) {
            throw new LinkageError("upcall target " + owner.getName() + "." + method + " not found", e);
        }
    }

    /** Reads the NUL-terminated UTF-8 string at {@code pointer}; {@code null} for a NULL pointer. */
    public static String cString(MemorySegment pointer) {
        if (pointer == null || pointer.equals(MemorySegment.NULL)) {
            return null;
        }
        return pointer.reinterpret(Long.MAX_VALUE).getString(0);
    }

    /**
     * Gives a raw pointer returned by llama.cpp a size so it can be read. The caller states the size it knows
     * from the API contract (for example {@code n_vocab} floats for logits).
     */
    public static MemorySegment view(MemorySegment pointer, long byteSize) {
        if (pointer.equals(MemorySegment.NULL)) {
            throw new IllegalStateException("llama.cpp returned NULL where data was expected");
        }
        return pointer.reinterpret(byteSize);
    }

    /** Converts a failure of {@code invokeExact} into an unchecked exception without wrapping runtime ones. */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("native call failed", t);
    }
}
