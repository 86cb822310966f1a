package dev.puna.runtime.offload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.gguf.GgufArray;
import dev.puna.gguf.GgufFile;
import dev.puna.gguf.GgufValueType;
import dev.puna.gguf.GgufWriter;
import dev.puna.testkit.SlidingWindowModel;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The planner counts a sliding-window layer's KV cache as llama.cpp sizes it: window-sized by default, full-size with
 * {@code swaFull}; and it reads which layers slide from a GGUF header as llama.cpp does.
 */
class SlidingWindowPlanTest {
    private static final long MIB = 1L << 20;
    private static final ComputeDevice CPU = new ComputeDevice("CPU", "AMD Ryzen 9 7950X", DeviceType.CPU,
            58_000 * MIB, 64_000 * MIB);
    private static final ComputeDevice RTX_4090 = new ComputeDevice("CUDA0", "NVIDIA GeForce RTX 4090",
            DeviceType.GPU, 24_024 * MIB, 24_564 * MIB);

    // A Gemma 3 27B-shaped model: 62 layers, every 6th global (il % 6 == 5: 10 layers), a window of 1024, 16 KV heads
    // of 128: 16 x 128 x (K + V) x 2 bytes = 8192 bytes a cell. Weights rounded: 400 MiB a layer, 1 GiB of token
    // embedding, a 500 MiB output.
    private static final List<Boolean> PATTERN = IntStream.range(0, 62).mapToObj(il -> il % 6 < 5).toList();
    private static final ModelFootprint GEMMA3_27B = new ModelFootprint("gemma3",
            Collections.nCopies(62, 400 * MIB), 1024 * MIB, 500 * MIB, false, 5376, 21504, 32,
            Collections.nCopies(62, 16), 128, 128, 262_144, Collections.nCopies(62, 0L), 21504, 1024, PATTERN);

    private static OffloadSettings settings(boolean swaFull) {
        return OffloadSettings.builder().numCtx(32768).slots(1).ubatch(512).swaFull(swaFull).build();
    }

    @Test
    void windowLayersKeepTheWindowAndOneMicroBatch() {
        OffloadPlan windowed = OffloadPlanner.plan(GEMMA3_27B, settings(false), List.of(CPU));
        OffloadPlan full = OffloadPlanner.plan(GEMMA3_27B, settings(true), List.of(CPU));
        // 10 global layers x 32768 cells + 52 sliding layers x (1024 + 512 = 1536, a multiple of 256) cells
        assertEquals((10L * 32768 + 52L * 1536) * 8192, windowed.cpu().kvBytes());
        assertEquals(3184 * MIB, windowed.cpu().kvBytes());
        assertEquals(62L * 32768 * 8192, full.cpu().kvBytes()); // 15872 MiB
        // Rounded up to 256 cells, and never more than num_ctx.
        OffloadSettings odd = OffloadSettings.builder().numCtx(32768).ubatch(100).build();
        assertEquals(1280, OffloadPlanner.kvCellsPerSequence(GEMMA3_27B, odd, 0));
        assertEquals(32768, OffloadPlanner.kvCellsPerSequence(GEMMA3_27B, odd, 5));
        OffloadSettings small = OffloadSettings.builder().numCtx(1000).build();
        assertEquals(1000, OffloadPlanner.kvCellsPerSequence(GEMMA3_27B, small, 0));
    }

    @Test
    void windowSizedCachesPutMoreLayersOnTheGpu() {
        OffloadPlan windowed = OffloadPlanner.plan(GEMMA3_27B, settings(false), List.of(CPU, RTX_4090));
        OffloadPlan full = OffloadPlanner.plan(GEMMA3_27B, settings(true), List.of(CPU, RTX_4090));
        assertTrue(windowed.gpuLayers() > full.gpuLayers() + 10,
                windowed.gpuLayers() + " layers window-sized, " + full.gpuLayers() + " full-size");
        assertTrue(windowed.gpuBytes() <= 24_024 * MIB && full.gpuBytes() <= 24_024 * MIB);
    }

    @Test
    void theGeneratedModelsLayersAreReadFromItsHeader(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("swa.gguf");
        SlidingWindowModel.small().write(file);
        ModelFootprint f = ModelFootprint.read(file);
        assertEquals(32, f.slidingWindow());
        assertEquals(List.of(true, false), f.slidingWindowLayers());
    }

    private static GgufFile header(String arch, int layers, Integer window, Object pattern, Path file)
            throws Exception {
        GgufWriter w = GgufWriter.create().putString("general.architecture", arch)
                .putUInt32(arch + ".block_count", layers)
                .putUInt32(arch + ".embedding_length", 64)
                .putUInt32(arch + ".attention.head_count", 4);
        if (window != null) {
            w.putUInt32(arch + ".attention.sliding_window", window);
        }
        if (pattern instanceof Integer n) {
            w.putUInt32(arch + ".attention.sliding_window_pattern", n);
        } else if (pattern instanceof GgufArray a) {
            w.putArray(arch + ".attention.sliding_window_pattern", a);
        }
        w.write(file);
        return GgufFile.read(file);
    }

    @Test
    void eachArchitecturesDefaultPatternAndTheFilesOwn(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("h.gguf");
        // Gemma 3: every 6th layer global.
        ModelFootprint g3 = ModelFootprint.of(header("gemma3", 7, 512, null, file));
        assertEquals(512, g3.slidingWindow());
        assertEquals(List.of(true, true, true, true, true, false, true), g3.slidingWindowLayers());
        // Gemma 3 without a window: no sliding layers at all.
        assertEquals(0, ModelFootprint.of(header("gemma3", 7, null, null, file)).slidingWindow());
        // Gemma 2: every other layer, and a window of 4096 when the file names none.
        ModelFootprint g2 = ModelFootprint.of(header("gemma2", 4, null, null, file));
        assertEquals(4096, g2.slidingWindow());
        assertEquals(List.of(true, false, true, false), g2.slidingWindowLayers());
        // gpt-oss, with the file's own single pattern instead of its default 2.
        assertEquals(List.of(true, true, false, true),
                ModelFootprint.of(header("gpt-oss", 4, 128, 3, file)).slidingWindowLayers());
        // A per-layer array wins over every default.
        GgufArray flags = GgufArray.of(GgufValueType.BOOL, false, true, true);
        assertEquals(List.of(false, true, true),
                ModelFootprint.of(header("cohere2", 3, 4096, flags, file)).slidingWindowLayers());
        // An architecture whose rule the planner does not know counts as full-size.
        assertEquals(0, ModelFootprint.of(header("llama", 4, 4096, null, file)).slidingWindow());
    }
}
