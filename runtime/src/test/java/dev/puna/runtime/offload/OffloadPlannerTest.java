package dev.puna.runtime.offload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.runtime.InvalidParameterException;
import dev.puna.runtime.KvCacheType;
import dev.puna.runtime.offload.OffloadPlan.DeviceUse;
import java.util.Collections;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * The planner on fixed device figures (what {@code ggml_backend_dev_memory} reports: total = the card's memory,
 * free = total less what the driver and other processes hold) and fixed model figures (the tensor sizes of
 * Llama 3.1 8B and 70B at Q4_K_M, with the layer layout simplified to Q4_K projections and Q6_K attn_v/ffn_down).
 * Every expected number below is derived in its comment from those figures, so a change to the accounting shows
 * up as a wrong number, not a vague inequality.
 */
class OffloadPlannerTest {
    private static final long MIB = 1L << 20;

    // Devices. CUDA reports an RTX 4090 as 24564 MiB total; 24024 MiB free with a CUDA context and a desktop.
    private static final ComputeDevice CPU = new ComputeDevice("CPU", "AMD Ryzen 9 7950X", DeviceType.CPU,
            58_000 * MIB, 64_000 * MIB);
    private static final ComputeDevice RTX_4090 = new ComputeDevice("CUDA0", "NVIDIA GeForce RTX 4090",
            DeviceType.GPU, 24_024 * MIB, 24_564 * MIB);
    // An A100 80GB: 81920 MiB total, 80614 MiB free.
    private static final ComputeDevice A100_80 = new ComputeDevice("CUDA0", "NVIDIA A100-SXM4-80GB", DeviceType.GPU,
            80_614 * MIB, 81_920 * MIB);
    // A second, busier 24 GiB card.
    private static final ComputeDevice RTX_3090 = new ComputeDevice("CUDA1", "NVIDIA GeForce RTX 3090",
            DeviceType.GPU, 23_500 * MIB, 24_576 * MIB);
    private static final ComputeDevice BLAS = new ComputeDevice("BLAS", "OpenBLAS", DeviceType.ACCEL, 0, 0);
    private static final ComputeDevice IGPU = new ComputeDevice("Vulkan0", "AMD Radeon 780M", DeviceType.IGPU,
            16_000 * MIB, 32_000 * MIB);

    // Llama 3.1 8B Q4_K_M: 32 layers, n_embd 4096, n_ff 14336, 32 heads, 8 KV heads of 128, vocab 128256.
    // One layer: attn_q 4096x4096 Q4_K (144 bytes per 256) 9437184 + attn_k 4096x1024 Q4_K 2359296 + attn_v
    // 4096x1024 Q6_K (210 per 256) 3440640 + attn_output 9437184 + ffn_gate and ffn_up 4096x14336 Q4_K 33030144
    // each + ffn_down Q6_K 48168960 + two F32 norms 32768 = 138936320 bytes. token_embd Q4_K 295501824; output
    // Q6_K 430940160 + output_norm 16384 = 430956544.
    private static final long L8 = 138_936_320L;
    private static final ModelFootprint LLAMA_8B = dense(32, L8, 295_501_824L, 430_956_544L, 4096, 14336, 32, 8);

    // Llama 3.1 70B Q4_K_M: 80 layers, n_embd 8192, n_ff 28672, 64 heads, 8 KV heads of 128, vocab 128256.
    // One layer: 37748736 + 4718592 + 6881280 + 37748736 + 2 x 132120576 + 192675840 + 65536 = 544079872 bytes.
    // token_embd 591003648; output 861880320 + output_norm 32768 = 861913088.
    private static final long L70 = 544_079_872L;
    private static final ModelFootprint LLAMA_70B = dense(80, L70, 591_003_648L, 861_913_088L, 8192, 28672, 64, 8);

    // KV cache, F16, num_ctx 4096, one slot: 8 KV heads x 128 x (K + V) x 2 bytes = 4096 bytes a cell, 16 MiB a layer.
    private static final long KV_LAYER = 4096L * 4096;
    // Compute estimate (OffloadPlanner.computeBytes), ubatch 512, no flash attention, h = 4*512*n_embd, the mask
    // 4*512*4096 = 8388608, K and V 4*512*8*(128 + 128) = 4194304; the peak of attention, feed-forward and output,
    // plus 3h:
    //   8B:  h = 8388608; attention: scores 4*512*4096*32 = 268435456 + mask + 5h + K/V = 322961408; feed-forward
    //        4*512*3*14336 + 5h + mask = 138412032; output: logits 4*512*128256 = 262668288 + 3h = 287834112;
    //        attention is the peak: 322961408 + 3h = 348127232.
    //   70B: h = 16777216; attention: 4*512*4096*64 = 536870912 + mask + 5h + K/V = 633339904; feed-forward
    //        268435456; output 262668288 + 3h = 312999936; attention again: 633339904 + 3h = 683671552, with or
    //        without the output layer.
    private static final long COMPUTE_8B_OUT = 348_127_232L;
    private static final long COMPUTE_70B = 683_671_552L;
    private static final long COMPUTE_70B_OUT = COMPUTE_70B;

    private static final OffloadSettings DEFAULTS = OffloadSettings.builder().numCtx(4096).build();

    private static ModelFootprint dense(int layers, long layerBytes, long tokenEmbd, long output, int embd, int ff,
                                        int heads, int kvHeads) {
        return new ModelFootprint("llama", Collections.nCopies(layers, layerBytes), tokenEmbd, output, false, embd, ff,
                heads, Collections.nCopies(layers, kvHeads), embd / heads, embd / heads, 128_256);
    }

    @Test
    void an8bModelFitsWhollyOnA24GibGpu() {
        OffloadPlan p = OffloadPlanner.plan(LLAMA_8B, DEFAULTS, List.of(CPU, RTX_4090));
        assertEquals(33, p.gpuLayers()); // 32 layers + the output layer
        assertTrue(p.fullyOffloaded());
        assertEquals(List.of(), p.tensorSplit()); // one GPU: nothing to split
        // 32 x (138936320 + 16 MiB) + 430956544 + 348127232 = 5761916928 bytes
        assertEquals(new DeviceUse("CUDA0", 33, 32 * L8 + 430_956_544L, 32 * KV_LAYER, COMPUTE_8B_OUT),
                p.gpus().getFirst());
        assertEquals(5_761_916_928L, p.gpuBytes());
        // only the token embedding stays in host memory
        assertEquals(new DeviceUse("CPU", 0, 295_501_824L, 0, 0), p.cpu());
        assertEquals("all 33 layers fit on GPU", p.reason());
    }

    @Test
    void a70bModelThatDoesNotFitIsSplitBetweenA24GibGpuAndTheCpu() {
        OffloadPlan p = OffloadPlanner.plan(LLAMA_70B, DEFAULTS, List.of(CPU, RTX_4090));
        // n offloaded = the output layer + (n - 1) repeating layers:
        //   861913088 + 683671552 + (n - 1) x (544079872 + 16777216) <= 24024 MiB = 25190989824
        //   (n - 1) <= 23645405184 / 560857088 = 42.2  ->  n = 43
        assertEquals(43, p.gpuLayers());
        assertEquals(25_101_582_336L, p.gpuBytes()); // 1545584640 + 42 x 560857088, within 25190989824
        // the first 38 layers and their KV cache stay on the CPU with the token embedding
        assertEquals(new DeviceUse("CPU", 38, 591_003_648L + 38 * L70, 38 * KV_LAYER, 0), p.cpu());
        assertEquals("43 of 81 layers fit in free GPU memory", p.reason());
    }

    @Test
    void a70bModelFitsWhollyOnAn80GibGpu() {
        OffloadPlan p = OffloadPlanner.plan(LLAMA_70B, DEFAULTS, List.of(CPU, A100_80));
        assertEquals(81, p.gpuLayers());
        // 80 x 560857088 + 861913088 + 683671552 = 46414151680 bytes (43.2 GiB of 78.7 GiB free)
        assertEquals(46_414_151_680L, p.gpuBytes());
        assertEquals(591_003_648L, p.cpu().totalBytes());
    }

    @Test
    void twoGpusSplitTheLayersInProportionToFreeMemory() {
        OffloadPlan p = OffloadPlanner.plan(LLAMA_70B, DEFAULTS, List.of(CPU, RTX_4090, RTX_3090));
        assertEquals(81, p.gpuLayers());
        // split points 24024/47524 = 0.5055 and 1: layer k of 81 goes to GPU 0 while k/81 < 0.5055, so k = 0..40
        // (41 layers), the other 40 (the output among them) to GPU 1 -- what llama.cpp does with this tensor_split.
        assertEquals(List.of(24_024f * MIB, 23_500f * MIB), p.tensorSplit());
        assertEquals(41, p.gpus().get(0).layers());
        assertEquals(40, p.gpus().get(1).layers());
        // GPU 0: 41 x 560857088 + 683671552 = 23678812160; GPU 1: 39 x 560857088 + 861913088 + 683671552
        assertEquals(23_678_812_160L, p.gpus().get(0).totalBytes());
        assertEquals(23_419_011_072L, p.gpus().get(1).totalBytes());
    }

    @Test
    void aTensorSplitSettingOverridesFreeMemory() {
        OffloadSettings s = OffloadSettings.builder().numCtx(4096).tensorSplit(List.of(3f, 1f)).build();
        OffloadPlan p = OffloadPlanner.plan(LLAMA_70B, s, List.of(CPU, RTX_4090, RTX_3090));
        // 3:1 puts three quarters of the offloaded layers on GPU 0, which fills first: at 57 layers GPU 0 holds
        // 43 (43 x 560857088 + 683671552 = 24800526336 <= 25190989824); at 58 it would hold 44 (25361383424).
        assertEquals(57, p.gpuLayers());
        assertEquals(List.of(3f, 1f), p.tensorSplit());
        assertEquals(43, p.gpus().get(0).layers());
        assertEquals(14, p.gpus().get(1).layers());
        assertEquals(24_800_526_336L, p.gpus().get(0).totalBytes());
    }

    @Test
    void withoutAGpuEverythingStaysOnTheCpu() {
        OffloadPlan p = OffloadPlanner.plan(LLAMA_70B, DEFAULTS, List.of(CPU, BLAS));
        assertEquals(0, p.gpuLayers());
        assertEquals(List.of(), p.gpus());
        assertEquals(0, p.gpuBytes());
        // 591003648 + 80 x 544079872 + 861913088 weights, 80 x 16 MiB KV
        assertEquals(new DeviceUse("CPU", 81, 591_003_648L + 80 * L70 + 861_913_088L, 80 * KV_LAYER, 0), p.cpu());
        assertEquals("no GPU: all 81 layers on the CPU", p.reason());
        assertEquals(0, OffloadPlanner.plan(LLAMA_8B, DEFAULTS, List.of()).gpuLayers());
    }

    @Test
    void aGpuWithTooLittleFreeMemoryGetsNoLayers() {
        ComputeDevice busy = new ComputeDevice("CUDA0", "NVIDIA GeForce RTX 4090", DeviceType.GPU, 1_400 * MIB,
                24_564 * MIB);
        OffloadPlan p = OffloadPlanner.plan(LLAMA_70B, DEFAULTS, List.of(CPU, busy));
        assertEquals(0, p.gpuLayers());
        // one layer (the output) needs 861913088 + 683671552 = 1545584640 bytes = 1474 MiB (rounded up)
        assertEquals("not even one layer fits in free GPU memory (CUDA0 needs 1474 MiB, 1400 MiB free after the "
                + "0 MiB reserve): all 81 layers on the CPU", p.reason());
        assertEquals(0, p.gpus().getFirst().totalBytes());
    }

    @Test
    void numGpuOverridesThePlanFitOrNot() {
        OffloadSettings twenty = OffloadSettings.builder().numCtx(4096).numGpu(20).build();
        OffloadPlan p = OffloadPlanner.plan(LLAMA_70B, twenty, List.of(CPU, RTX_4090));
        assertEquals(20, p.gpuLayers());
        // 19 x 560857088 + 861913088 + 683671552 = 12201869312
        assertEquals(12_201_869_312L, p.gpuBytes());
        assertEquals("num_gpu 20: 20 of 81 layers on GPU", p.reason());

        OffloadPlan sixty = OffloadPlanner.plan(LLAMA_70B, OffloadSettings.builder().numGpu(60).build(),
                List.of(CPU, RTX_4090));
        assertEquals(60, sixty.gpuLayers());
        // 59 x 560857088 + 1545584640 = 34636152832 bytes = 33031.6 MiB (shown rounded up), more than 24024 MiB
        assertEquals("num_gpu 60: 60 of 81 layers on GPU (CUDA0 needs 33032 MiB, 24024 MiB free after the 0 MiB "
                + "reserve)", sixty.reason());
        assertEquals(81, OffloadPlanner.plan(LLAMA_70B,
                OffloadSettings.builder().numGpu(999).build(), List.of(CPU, RTX_4090)).gpuLayers());
        assertEquals(0, OffloadPlanner.plan(LLAMA_8B, OffloadSettings.builder().numGpu(0).build(),
                List.of(CPU, RTX_4090)).gpuBytes());
    }

    @Test
    void theReservePerGpuAndTheKvSettingsCount() {
        // PUNA_GPU_OVERHEAD 1 GiB: 23000 MiB usable = 24117248000; (n - 1) <= 22571663360 / 560857088 = 40.2 -> 41
        OffloadSettings reserve = OffloadSettings.builder().numCtx(4096).gpuOverheadBytes(1024 * MIB).build();
        assertEquals(41, OffloadPlanner.plan(LLAMA_70B, reserve, List.of(CPU, RTX_4090)).gpuLayers());
        // Four slots of 4096 at q8_0: a cell is 2 x 1024/32 x 34 = 2176 bytes, 16384 cells = 34 MiB a layer. Flash
        // attention drops the scores (the mask is F16, 2*512*4096), so the peak is the output's, logits 262668288 +
        // 3h = 312999936 (feed-forward 264241152, attention 92274688); with 3h the estimate is 363331584.
        OffloadSettings four = OffloadSettings.builder().numCtx(4096).slots(4).kvType(KvCacheType.Q8_0)
                .flashAttention(true).build();
        OffloadPlan p = OffloadPlanner.plan(LLAMA_70B, four, List.of(CPU, RTX_4090));
        // 861913088 + 363331584 + (n - 1) x (544079872 + 35651584) <= 25190989824 -> (n - 1) <= 41.3 -> 42
        assertEquals(42, p.gpuLayers());
        assertEquals(41 * 35_651_584L, p.gpus().getFirst().kvBytes());
        assertEquals(363_331_584L, p.gpus().getFirst().computeBytes());
    }

    @Test
    void integratedGpusAreUsedOnlyWithoutADiscreteOne() {
        assertEquals("Vulkan0", OffloadPlanner.plan(LLAMA_8B, DEFAULTS, List.of(CPU, IGPU)).gpus().getFirst().device());
        assertEquals(List.of("CUDA0"), OffloadPlanner.plan(LLAMA_8B, DEFAULTS, List.of(CPU, IGPU, RTX_4090)).gpus()
                .stream().map(DeviceUse::device).toList());
    }

    @Test
    void mainGpuRestrictsThePlanToOneGpu() {
        OffloadSettings second = OffloadSettings.builder().numCtx(4096).mainGpu(1).build();
        OffloadPlan p = OffloadPlanner.plan(LLAMA_70B, second, List.of(CPU, RTX_4090, RTX_3090));
        assertEquals(List.of("CUDA1"), p.gpus().stream().map(DeviceUse::device).toList());
        // 23500 MiB = 24641536000: (n - 1) <= 23095951360 / 560857088 = 41.2 -> 42
        assertEquals(42, p.gpuLayers());
        OffloadPlan none = OffloadPlanner.plan(LLAMA_70B, OffloadSettings.builder().mainGpu(5).build(),
                List.of(CPU, RTX_4090));
        assertEquals(0, none.gpuLayers());
        assertEquals("there is no GPU 5: all 81 layers on the CPU", none.reason());
    }

    @Test
    void badSettingsAreRejectedByName() {
        assertEquals("tensor_split", assertThrows(InvalidParameterException.class,
                () -> OffloadSettings.builder().tensorSplit(List.of(0f, 0f))).parameter());
        assertEquals("tensor_split", assertThrows(InvalidParameterException.class,
                () -> OffloadSettings.builder().tensorSplit(List.of(1f, -1f))).parameter());
        assertEquals("num_gpu", assertThrows(InvalidParameterException.class,
                () -> OffloadSettings.builder().numGpu(-2)).parameter());
        assertEquals("PUNA_GPU_OVERHEAD", assertThrows(InvalidParameterException.class,
                () -> OffloadSettings.builder().gpuOverheadBytes(-1)).parameter());
    }

    /*
     * Against llama.cpp's own fit (common/fit.cpp, common_fit_params, as llama-server --fit and tools/fit-params run
     * it; pinned v0.5.0). It cannot run here: it measures each candidate with a no_alloc load on real devices, and on
     * a machine without a GPU it returns before touching n_gpu_layers (nd == 0). What it decides follows from its
     * code for a dense model with n_ctx set by the caller (Puna always sets num_ctx, so step 2, "reduce the context",
     * logs "context size set by user -> no change"):
     *   - step 1: mem(all layers) = model + context + compute per device; if free - mem >= margin on every device,
     *     nothing changes. The margin is --fit-target, 1024 MiB per device by default (common.h fit_params_target).
     *   - step 3: targets[id] = free[id] - margin[id]; devices are filled back to front (the last device gets the
     *     last layers and the output layer); for each, a false-position search between a fitting lower bound and a
     *     non-fitting upper bound stops when they differ by one layer and keeps the lower: the largest n with
     *     mem(n) <= target, memory being monotonic in n. n counts the output layer, as n_gpu_layers does.
     * mem(n) is what llama.cpp's memory breakdown reports for the device. Given the same per-device figures (the
     * ones this planner computes: weights, KV cache and compute buffer of the layers placed there), the reference
     * below runs that search. For one RTX 4090 (24024 MiB free) and the 70B model at the default 1 GiB margin:
     *   target = 23000 MiB = 24117248000; mem(n) = 861913088 + 683671552 + (n - 1) x 560857088;
     *   mem(41) = 23979868160 <= target < mem(42) = 24540725248, so --fit sets n_gpu_layers = 41,
     * and the planner with PUNA_GPU_OVERHEAD = 1 GiB also picks 41. With two GPUs llama.cpp fills the last one first
     * (CUDA1: 42 layers, then CUDA0: the remaining 39) where the planner splits by free memory (41 on CUDA0, 40 on
     * CUDA1, as llama.cpp's loader itself splits by default): the same 81 layers, placed differently.
     */
    @Test
    void agreesWithLlamaCppFitOnTheSameFigures() {
        long margin = 1024 * MIB;
        OffloadSettings s = OffloadSettings.builder().numCtx(4096).gpuOverheadBytes(margin).build();
        List<ComputeDevice> one = List.of(CPU, RTX_4090);
        int[] fit = fitDense(81, new long[] {RTX_4090.freeBytes() - margin},
                (n) -> new long[] {n == 0 ? 0 : 861_913_088L + COMPUTE_70B_OUT + (n - 1) * (L70 + KV_LAYER)});
        assertEquals(41, fit[0]);
        assertEquals(fit[0], OffloadPlanner.plan(LLAMA_70B, s, one).gpuLayers());

        // Two GPUs without a margin: as many layers as fit's, split by free memory where fit fills the last first.
        OffloadSettings noMargin = OffloadSettings.builder().numCtx(4096).build();
        int[] fit2 = fitDenseTwo(81, RTX_4090.freeBytes(), RTX_3090.freeBytes());
        assertEquals(39, fit2[0]);
        assertEquals(42, fit2[1]);
        OffloadPlan p = OffloadPlanner.plan(LLAMA_70B, noMargin, List.of(CPU, RTX_4090, RTX_3090));
        assertEquals(fit2[0] + fit2[1], p.gpuLayers());
        assertEquals(List.of(41, 40), p.gpus().stream().map(DeviceUse::layers).toList());
    }

    /**
     * fit.cpp's step 3 for one device, transcribed: false position between lo (fits) and hi (all unassigned
     * layers), replacing a bound per probe until they are one layer apart. {@code mem} gives the device's memory at
     * n layers. Returns {n}.
     */
    private static int[] fitDense(int layers, long[] targets, IntFunction<long[]> mem) {
        int lo = 0;
        long memLo = mem.apply(0)[0];
        int hi = layers;
        long memHi = mem.apply(hi)[0];
        if (memHi <= targets[0]) {
            return new int[] {hi};
        }
        int delta = hi - lo;
        while (delta > 1) {
            int step = (int) ((long) delta * (targets[0] - memLo) / (memHi - memLo));
            step = Math.max(step, 1);
            step = Math.min(step, delta - 1);
            int test = lo + step;
            long memTest = mem.apply(test)[0];
            if (memTest <= targets[0]) {
                lo = test;
                memLo = memTest;
            } else {
                hi = test;
                memHi = memTest;
            }
            delta = hi - lo;
        }
        return new int[] {lo};
    }

    /** fit.cpp's back-to-front fill over two devices: the last gets the output layer and fills first. */
    private static int[] fitDenseTwo(int layers, long free0, long free1) {
        long perLayer = L70 + KV_LAYER;
        int[] last = fitDense(layers, new long[] {free1},
                n -> new long[] {n == 0 ? 0 : 861_913_088L + COMPUTE_70B_OUT + (n - 1) * perLayer});
        int remaining = layers - last[0];
        int[] first = fitDense(remaining, new long[] {free0}, n -> new long[] {n == 0 ? 0 : COMPUTE_70B + n * perLayer});
        return new int[] {first[0], last[0]};
    }
}
