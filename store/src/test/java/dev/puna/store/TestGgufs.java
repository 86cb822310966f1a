package dev.puna.store;

import dev.puna.gguf.GgmlType;
import dev.puna.gguf.GgufWriter;
import dev.puna.testkit.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/** GGUF files for store tests: testkit's scripted model and small hand-made files of other kinds. */
final class TestGgufs {
    private TestGgufs() {
    }

    /** The scripted llama model (F32, F16 or Q8_0) in {@code dir}. */
    static Path scripted(Path dir, GgmlType type) throws IOException {
        Files.createDirectories(dir);
        return TestModels.scripted(dir, type);
    }

    /** A tiny GGUF with one F32 tensor of {@code elements} values and whatever metadata {@code meta} puts. */
    static Path tiny(Path file, int elements, Consumer<GgufWriter> meta) throws IOException {
        GgufWriter w = GgufWriter.create();
        meta.accept(w);
        w.addTensor("t.weight", GgmlType.F32, new long[] {elements}, new float[elements]);
        Files.createDirectories(file.toAbsolutePath().getParent());
        w.write(file);
        return file;
    }

    /** A LoRA adapter GGUF ({@code general.type} adapter). */
    static Path adapter(Path file) throws IOException {
        return tiny(file, 32, w -> w.putString("general.architecture", "llama").putString("general.type", "adapter")
                .putString("adapter.type", "lora").putFloat32("adapter.lora.alpha", 16f));
    }

    /** A CLIP projector GGUF (no text blocks). */
    static Path projector(Path file) throws IOException {
        return tiny(file, 32, w -> w.putString("general.architecture", "clip").putString("general.type", "mmproj")
                .putBool("clip.has_vision_encoder", true).putUInt32("clip.vision.block_count", 2));
    }

    /** An embedding model GGUF (a pooling type). */
    static Path embedding(Path file) throws IOException {
        return tiny(file, 64, w -> w.putString("general.architecture", "bert").putUInt32("bert.block_count", 1)
                .putUInt32("bert.pooling_type", 1).putUInt32("general.file_type", 0));
    }
}
