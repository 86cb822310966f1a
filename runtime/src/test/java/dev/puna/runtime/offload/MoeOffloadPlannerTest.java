package dev.puna.runtime.offload;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.puna.runtime.InvalidParameterException;
import dev.puna.runtime.offload.OffloadPlan.DeviceUse;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The planner on a mixture-of-experts model: Qwen3-30B-A3B's shape (48 layers, n_embd 2048, 32 heads, 4 KV heads
 * of 128, 128 experts of feed-forward 768, vocab 151936) with every matrix simplified to Q4_K (144 bytes per 256
 * values) and the output to Q6_K (210 per 256). Every expected number is derived in a comment from these figures.
 */
class MoeOffloadPlannerTest {
    private static final long MIB = 1L << 20;

    // One layer: attn_q 2048x4096 4718592 + attn_k and attn_v 2048x512 589824 each + attn_output 4718592 + norms
    // (q/k 128 and attn/ffn 2048, F32) 17408 + the router ffn_gate_inp 2048x128 F32 1048576 = 11682816 dense bytes;
    // ffn_gate_exps, ffn_up_exps and ffn_down_exps of 2048x768x128 = 113246208 each, 339738624 expert bytes.
    private static final long DENSE = 11_682_816L;
    private static final long EXPERTS = 339_738_624L;
    private static final long LAYER = DENSE + EXPERTS;
    private static final long TOKEN_EMBD = 175_030_272L; // 2048 x 151936 Q4_K
    private static final long OUTPUT = 255_260_672L; // 2048 x 151936 Q6_K + output_norm 8192
    // A token's feed-forward: 8 of the 128 experts, 768 wide each, 6144 (feed_forward_length is 6144 too).
    private static final ModelFootprint QWEN3_30B_A3B = new ModelFootprint("qwen3moe", Collections.nCopies(48, LAYER),
            TOKEN_EMBD, OUTPUT, false, 2048, 6144, 32, Collections.nCopies(48, 4), 128, 128, 151_936,
            Collections.nCopies(48, EXPERTS), 8 * 768);
    // KV, F16, num_ctx 4096, one slot: 4 x 128 x (K + V) x 2 bytes x 4096 = 8 MiB a layer.
    private static final long KV_LAYER = 8 * MIB;
    // Compute with the output layer (OffloadPlanner.computeBytes, ubatch 512, h = 4*512*2048 = 4194304): attention
    // 4*512*4096*32 268435456 + mask 8388608 + 5h + K/V 2097152 = 299892736; feed-forward 4*512*3*6144 + 5h + mask
    // = 67108864; output: logits 4*512*151936 311164928 + 3h = 323747840, the peak; + 3h = 336330752.
    private static final long COMPUTE_OUT = 336_330_752L;
    // Everything on one GPU: 48 x (351421440 + 8388608) + 255260672 + 336330752 = 17862473728 bytes (17035 MiB).
    private static final long WHOLE = 17_862_473_728L;

    private static final ComputeDevice CPU = new ComputeDevice("CPU", "AMD Ryzen 9 7950X", DeviceType.CPU,
            58_000 * MIB, 64_000 * MIB);
    private static final ComputeDevice RTX_4090 = new ComputeDevice("CUDA0", "NVIDIA GeForce RTX 4090",
            DeviceType.GPU, 24_024 * MIB, 24_564 * MIB);
    private static final ComputeDevice GPU_12G = new ComputeDevice("CUDA0", "NVIDIA GeForce RTX 4070",
            DeviceType.GPU, 11_700 * MIB, 12_282 * MIB);
    private static final ComputeDevice GPU_SMALL = new ComputeDevice("CUDA0", "NVIDIA T400", DeviceType.GPU,
            1_200 * MIB, 2_048 * MIB);
    private static final OffloadSettings DEFAULTS = OffloadSettings.builder().numCtx(4096).build();

    @Test
    void aMoeModelThatFitsKeepsItsExpertsOnTheGpu() {
        OffloadPlan p = OffloadPlanner.plan(QWEN3_30B_A3B, DEFAULTS, List.of(CPU, RTX_4090));
        assertEquals(49, p.gpuLayers());
        assertEquals(0, p.cpuMoeLayers());
        assertEquals(WHOLE, p.gpuBytes());
        assertEquals("all 49 layers fit on GPU", p.reason());
    }

    @Test
    void onASmallerGpuEveryLayerStaysAndTheFewestLayersExpertsGoToHostMemory() {
        OffloadPlan p = OffloadPlanner.plan(QWEN3_30B_A3B, DEFAULTS, List.of(CPU, GPU_12G));
        // 11700 MiB = 12268339200 bytes free: WHOLE - k x 339738624 fits from k = 17 (12086917120; k = 16 needs
        // 12426655744).
        assertEquals(49, p.gpuLayers());
        assertEquals(17, p.cpuMoeLayers());
        assertEquals(new DeviceUse("CUDA0", 49, 48 * LAYER + OUTPUT - 17 * EXPERTS, 48 * KV_LAYER, COMPUTE_OUT),
                p.gpus().getFirst());
        assertEquals(12_086_917_120L, p.gpuBytes());
        // host memory: the token embedding and 17 layers' experts, no layer
        assertEquals(new DeviceUse("CPU", 0, TOKEN_EMBD + 17 * EXPERTS, 0, 0), p.cpu());
        assertEquals("all 49 layers on GPU, the experts of the first 17 of 48 layers in host memory", p.reason());
    }

    @Test
    void whenNotEvenEveryDensePartFitsFewerLayersGoWithAllExpertsInHostMemory() {
        OffloadPlan p = OffloadPlanner.plan(QWEN3_30B_A3B, DEFAULTS, List.of(CPU, GPU_SMALL));
        // 1200 MiB = 1258291200 bytes. Every dense part with the KV cache: 48 x (11682816 + 8388608) + 255260672 +
        // 336330752 = 1555019776, too much; n layers (the output among them) take 591591424 + (n - 1) x 20071424,
        // which fits up to n = 34 (1253948416; n = 35 needs 1274019840).
        assertEquals(34, p.gpuLayers());
        assertEquals(48, p.cpuMoeLayers());
        assertEquals(new DeviceUse("CUDA0", 34, OUTPUT + 33 * DENSE, 33 * KV_LAYER, COMPUTE_OUT), p.gpus().getFirst());
        // host memory: the embedding, every expert, and the 15 layers left there (their dense parts and KV)
        assertEquals(new DeviceUse("CPU", 15, TOKEN_EMBD + 48 * EXPERTS + 15 * DENSE, 15 * KV_LAYER, 0), p.cpu());
        assertEquals("34 of 49 layers fit in free GPU memory, every layer's experts in host memory", p.reason());
    }

    @Test
    void nCpuMoeIsTakenAsGivenAndTheLayersArePlannedAroundIt() {
        OffloadSettings thirty = OffloadSettings.builder().numCtx(4096).cpuMoeLayers(30).build();
        OffloadPlan p = OffloadPlanner.plan(QWEN3_30B_A3B, thirty, List.of(CPU, GPU_12G));
        // WHOLE - 30 x 339738624 = 7670315008: more in host memory than the 17 the planner would pick, as asked
        assertEquals(49, p.gpuLayers());
        assertEquals(30, p.cpuMoeLayers());
        assertEquals(7_670_315_008L, p.gpuBytes());
        assertEquals("all 49 layers fit on GPU, the experts of the first 30 of 48 layers in host memory", p.reason());

        // 0: no experts in host memory, so (as llama.cpp without --n-cpu-moe) whole layers go instead. n layers take
        // 255260672 + 336330752 + (n - 1) x 359810048 <= 12268339200 up to n = 33 (12105512960).
        OffloadPlan none = OffloadPlanner.plan(QWEN3_30B_A3B,
                OffloadSettings.builder().numCtx(4096).cpuMoeLayers(0).build(), List.of(CPU, GPU_12G));
        assertEquals(33, none.gpuLayers());
        assertEquals(0, none.cpuMoeLayers());
        assertEquals("33 of 49 layers fit in free GPU memory", none.reason());

        // more than the model has: every layer's, and reported as the 48 it means
        OffloadPlan all = OffloadPlanner.plan(QWEN3_30B_A3B,
                OffloadSettings.builder().numCtx(4096).cpuMoeLayers(1000).build(), List.of(CPU, GPU_12G));
        assertEquals(48, all.cpuMoeLayers());
        assertEquals(WHOLE - 48 * EXPERTS, all.gpuBytes());
    }

    @Test
    void numGpuAloneKeepsTheExpertsWithTheirLayersAndBadValuesAreRefused() {
        OffloadPlan p = OffloadPlanner.plan(QWEN3_30B_A3B,
                OffloadSettings.builder().numCtx(4096).numGpu(49).build(), List.of(CPU, GPU_12G));
        assertEquals(49, p.gpuLayers());
        assertEquals(0, p.cpuMoeLayers());
        assertEquals("num_gpu 49: 49 of 49 layers on GPU (CUDA0 needs 17035 MiB, 11700 MiB free after the 0 MiB "
                + "reserve)", p.reason());
        OffloadPlan both = OffloadPlanner.plan(QWEN3_30B_A3B,
                OffloadSettings.builder().numCtx(4096).numGpu(49).cpuMoeLayers(17).build(), List.of(CPU, GPU_12G));
        assertEquals(17, both.cpuMoeLayers());
        assertEquals("num_gpu 49: 49 of 49 layers on GPU, the experts of the first 17 of 48 layers in host memory",
                both.reason());
        assertEquals("n_cpu_moe", org.junit.jupiter.api.Assertions.assertThrows(InvalidParameterException.class,
                () -> OffloadSettings.builder().cpuMoeLayers(-2)).parameter());
    }

    @Test
    void withoutAGpuTheExpertsNeedNoOverride() {
        OffloadPlan p = OffloadPlanner.plan(QWEN3_30B_A3B, DEFAULTS, List.of(CPU));
        assertEquals(0, p.gpuLayers());
        assertEquals(0, p.cpuMoeLayers());
        assertEquals(TOKEN_EMBD + 48 * LAYER + OUTPUT, p.cpu().weightBytes());
    }
}
