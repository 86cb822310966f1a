package dev.puna.runtime;

import dev.puna.bindings.Llama;
import dev.puna.gguf.GgufFile;
import dev.puna.runtime.internal.Backend;
import dev.puna.runtime.internal.ResourceGuard;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A LoRA adapter (GGUF, {@code general.type = adapter}) loaded for one {@link Model}. Requests name the adapters
 * and scales they run with ({@link GenerateRequest.Builder#adapters}); an {@link Engine} applies them to its
 * context without reloading the model.
 *
 * <p><b>Ownership.</b> The adapter holds a reference to its model until it is closed; close adapters before (or
 * with) the model. Closing while an engine step uses it frees it after that step; later use throws
 * {@link ResourceClosedException}.
 */
public final class LoraAdapter implements AutoCloseable {
    private static final AtomicLong IDS = new AtomicLong();

    private final Model model;
    private final Path path;
    private final MemorySegment handle;
    private final float alpha;
    /** Orders adapters in an {@link AdapterSet}, so that equal sets compare equal whatever order they came in. */
    final long serial = IDS.incrementAndGet();
    private final ResourceGuard guard;

    private LoraAdapter(Model model, Path path, MemorySegment handle, float alpha) {
        this.model = model;
        this.path = path;
        this.handle = handle;
        this.alpha = alpha;
        this.guard = new ResourceGuard("LoRA adapter " + path, () -> {
            Llama.llama_adapter_lora_free(handle);
            model.release();
        });
    }

    /**
     * Loads {@code path} for {@code model}. The file is checked in Java first (a GGUF LoRA adapter for the
     * model's architecture), so llama.cpp only sees files that claim to be what it expects.
     *
     * @throws ModelLoadException naming the file: missing, not GGUF, not a LoRA adapter, for another architecture,
     *         or with tensors that do not fit the model
     * @throws ResourceClosedException if the model is closed
     */
    public static LoraAdapter load(Model model, Path path) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(path, "path");
        GgufFile gguf = Model.readHeader(path);
        String type = gguf.getString("general.type").orElse("");
        if (!type.equals("adapter") || !gguf.getString("adapter.type").orElse("").equals("lora")) {
            throw new ModelLoadException(path, "is not a LoRA adapter (general.type '" + type + "', adapter.type '"
                    + gguf.getString("adapter.type").orElse("") + "')");
        }
        String arch = gguf.architecture().orElse("");
        if (!arch.equals(model.info().architecture())) {
            throw new ModelLoadException(path, "is a LoRA adapter for architecture '" + arch + "', not for '"
                    + model.info().architecture() + "' models");
        }
        float alpha = (float) gguf.getDouble("adapter.lora.alpha").orElse(0);
        model.acquire();
        MemorySegment handle;
        try (Arena arena = Arena.ofConfined()) {
            Backend.clearLastError();
            handle = Llama.llama_adapter_lora_init(model.handle(), arena.allocateFrom(path.toString()));
        } catch (RuntimeException | Error e) {
            model.release();
            throw e;
        }
        if (handle.equals(MemorySegment.NULL)) {
            model.release();
            String why = Backend.lastError();
            throw new ModelLoadException(path, "llama.cpp could not load the LoRA adapter"
                    + (why.isEmpty() ? "" : ": " + why.replaceAll("\\s+", " ")));
        }
        return new LoraAdapter(model, path, handle, alpha);
    }

    /** The model this adapter belongs to. */
    public Model model() {
        return model;
    }

    /** The adapter file. */
    public Path path() {
        return path;
    }

    /** {@code adapter.lora.alpha} (0 when absent: then llama.cpp applies the scale as is, not scale × alpha / rank). */
    public float alpha() {
        return alpha;
    }

    void acquire() {
        guard.acquire();
    }

    void release() {
        guard.release();
    }

    /** Valid between {@link #acquire()} and {@link #release()}. */
    MemorySegment handle() {
        return handle;
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return guard.isClosed();
    }

    /** Frees the adapter once no engine step uses it. Idempotent. */
    @Override
    public void close() {
        guard.close();
    }

    @Override
    public String toString() {
        return "LoraAdapter[" + path + "]";
    }
}
