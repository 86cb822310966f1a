package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.puna.gguf.GgmlType;
import dev.puna.runtime.offload.ComputeDevice;
import dev.puna.runtime.offload.DeviceType;
import dev.puna.runtime.offload.ModelFootprint;
import dev.puna.runtime.offload.OffloadPlanner;
import dev.puna.runtime.offload.OffloadSettings;
import dev.puna.testkit.RandomModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The offload planner's compute-buffer estimate against what llama.cpp reserves: for each model shape and setting,
 * an engine's context is created and the compute buffer llama.cpp logs for it ({@code sched_reserve: CPU compute
 * buffer size = X MiB}, the CPU backend being the one here) is compared with the planner's figure for a GPU that
 * holds every layer and the output. The estimate must never be below llama.cpp's and at most 1.7 times it.
 *
 * <p>The shapes pull the peak to each of its moments: a vocabulary-heavy model (logits), a wide one and a
 * feed-forward-heavy one (attention scores, feed-forward), a mixture of experts (its feed-forward is the experts
 * used per token), and one with 3 layers and 6:1 grouped-query attention. All have at least two layers, so the
 * mask is alive during a feed-forward as in real models.
 */
class ComputeBufferEstimateTest {
    private static final Pattern COMPUTE = Pattern.compile("(\\S+) compute buffer size = +([0-9.]+) MiB");
    private static final ComputeDevice GPU = new ComputeDevice("CUDA0", "", DeviceType.GPU, 1L << 40, 1L << 40);
    private static final double MAX_RATIO = 1.7;

    /** num_ctx, slots, ubatch, flash attention (1 on). */
    private static final int[][] SETTINGS = {
        {512, 1, 512, 0}, {1024, 1, 512, 0}, {2048, 1, 512, 0}, {8192, 1, 512, 0}, {2048, 4, 512, 0},
        {2048, 1, 128, 0}, {8192, 1, 128, 0}, {4096, 2, 256, 0}, {256, 1, 512, 0},
        {512, 1, 512, 1}, {8192, 1, 512, 1}, {2048, 4, 512, 1}, {2048, 1, 128, 1}, {4096, 2, 256, 1}};

    @Test
    void theEstimateBoundsWhatLlamaCppReservesFromAbove() throws IOException {
        List<Path> models = List.of(
                write("puna-cb-vocab.gguf", new RandomModel(32000, 2, 768, 2048, 12, 4, GgmlType.Q8_0, 3)),
                write("puna-cb-wide.gguf", new RandomModel(8000, 2, 2048, 4096, 16, 4, GgmlType.Q8_0, 3)),
                write("puna-cb-ffn.gguf", new RandomModel(4000, 2, 1024, 8192, 8, 8, GgmlType.Q8_0, 3)),
                write("puna-cb-moe.gguf", new RandomModel(4000, 2, 1024, 2048, 8, 4, GgmlType.Q8_0, 3, 8, 2)),
                write("puna-cb-gqa.gguf", new RandomModel(16000, 3, 1536, 4096, 12, 2, GgmlType.Q8_0, 3)));
        List<String> outside = new ArrayList<>();
        int measured = 0;
        for (Path file : models) {
            ModelFootprint footprint = ModelFootprint.read(file);
            try (Model model = Model.load(file, ModelParams.builder().build())) {
                for (int[] s : SETTINGS) {
                    boolean fa = s[3] == 1;
                    long actual = reserved(model, s[0], s[1], s[2], fa);
                    long estimate = OffloadPlanner.plan(footprint, OffloadSettings.builder().numCtx(s[0]).slots(s[1])
                            .ubatch(s[2]).flashAttention(fa).build(), List.of(GPU)).gpus().getFirst().computeBytes();
                    measured++;
                    if (estimate < actual || estimate > MAX_RATIO * actual) {
                        outside.add(String.format(Locale.ROOT, "%s num_ctx %d x %d, ubatch %d, flash attention %s: "
                                + "llama.cpp %.2f MiB, estimate %.2f MiB", file.getFileName(), s[0], s[1], s[2], fa,
                                actual / 1048576.0, estimate / 1048576.0));
                    }
                }
            }
        }
        assertEquals(models.size() * SETTINGS.length, measured);
        assertEquals(List.of(), outside);
    }

    /** The compute buffer llama.cpp reserves for an engine context with these settings, in bytes (0.01 MiB exact). */
    private static long reserved(Model model, int numCtx, int slots, int ubatch, boolean flashAttention) {
        SessionParams sp = SessionParams.builder().contextSize(numCtx).ubatchSize(ubatch).batchSize(512)
                .flashAttention(flashAttention ? FlashAttention.ENABLED : FlashAttention.DISABLED).build();
        long bytes = 0;
        int buffers = 0;
        try (LlamaLog log = new LlamaLog();
             Engine ignored = Engine.start(model, EngineParams.builder().session(sp).parallel(slots).warmupTokens(0)
                     .build())) {
            for (String line : log.lines) {
                Matcher m = COMPUTE.matcher(line);
                if (m.find()) {
                    assertEquals("CPU", m.group(1), line);
                    bytes += Math.round(Double.parseDouble(m.group(2)) * 1048576);
                    buffers++;
                }
            }
        }
        assertEquals(1, buffers, "compute buffer lines logged");
        return bytes;
    }

    private static Path write(String name, RandomModel model) throws IOException {
        Path file = Models.DIR.resolve(name);
        if (!Files.isRegularFile(file)) {
            Files.createDirectories(Models.DIR);
            model.write(file);
        }
        return file;
    }
}
