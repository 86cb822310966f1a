package dev.puna.runtime.offload;

import dev.puna.runtime.offload.OffloadPlan.DeviceUse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Decides how many layers of a model go to the GPUs, and how they split across GPUs. A pure function of the
 * model's {@link ModelFootprint}, the load's {@link OffloadSettings} and the devices llama.cpp reports (recorded
 * figures in tests): no native call, no I/O. Stateless and thread-safe.
 *
 * <p>What it counts on a GPU for each layer placed there: the layer's weights, its KV cache ({@code numCtx x slots}
 * cells at the KV type), and once per GPU that holds any layer a compute-buffer estimate; the output layer (and
 * its logits) on the GPU of the last layer. The token embedding stays in host memory, as llama.cpp keeps it.
 * A sliding-window layer's KV cache is window-sized unless {@link OffloadSettings#swaFull()} ({@link
 * #kvCellsPerSequence}), as the runtime's contexts and llama-server configure it.
 *
 * <p>How it places layers is how llama.cpp places them for a given {@code n_gpu_layers} and {@code tensor_split}
 * (src/llama-model.cpp {@code load_tensors}): the last {@code n_gpu_layers} of the {@code n_layer + 1} layers
 * (output last) are offloaded; layer {@code il} goes to the first GPU whose cumulative split point exceeds
 * {@code (il - first offloaded) / n_gpu_layers}. The split is the {@code tensor_split} setting, else each GPU's
 * free memory less the reserve. With {@code numGpu} unset the planner picks the largest {@code n_gpu_layers} for
 * which every GPU stays within its free memory less {@code gpuOverheadBytes}; like llama.cpp's {@code --fit}
 * (common/fit.cpp) it never overcommits a device, and only discrete GPUs are used when there are any
 * (integrated ones otherwise), as llama.cpp's device list does.
 *
 * <p>Mixture-of-experts models: a layer on a GPU whose experts are kept in host memory ({@code n_cpu_moe}, the
 * first layers' {@code ffn_*_exps}) counts its expert bytes on the CPU. With both {@code numGpu} and
 * {@code cpuMoeLayers} unset, a MoE model that does not fit whole keeps every layer on the GPU and moves the
 * fewest layers' experts to host memory that makes the rest fit; when even every layer's dense part does not fit,
 * it offloads fewer layers with all experts in host memory (llama.cpp's {@code --fit} does the same in that order,
 * though it picks the last layers' experts where {@code --n-cpu-moe} names the first).
 */
public final class OffloadPlanner {
    private static final long MIB = 1L << 20;

    private OffloadPlanner() {
    }

    /**
     * The plan for {@code model} with {@code settings} on {@code devices}.
     *
     * @param devices every device llama.cpp lists, in its order ({@link Devices#list()}); CPU and accelerator
     *     entries are ignored for placement
     */
    public static OffloadPlan plan(ModelFootprint model, OffloadSettings settings, List<ComputeDevice> devices) {
        int n = model.layerCount();
        int total = n + 1;
        int fixedMoe = settings.cpuMoeLayers() >= 0 ? Math.min(settings.cpuMoeLayers(), n) : -1;
        List<ComputeDevice> gpus = offloadTargets(devices);
        if (settings.mainGpu() >= 0) {
            gpus = settings.mainGpu() < gpus.size() ? List.of(gpus.get(settings.mainGpu())) : List.of();
        }
        if (gpus.isEmpty()) {
            String why = settings.mainGpu() >= 0 ? "there is no GPU " + settings.mainGpu() : "no GPU";
            return place(model, settings, gpus, new float[0], 0, Math.max(fixedMoe, 0),
                    why + ": all " + total + " layers on the CPU");
        }
        float[] split = proportions(settings, gpus);
        if (settings.numGpu() >= 0) {
            int layers = Math.min(settings.numGpu(), total);
            int moe = Math.max(fixedMoe, 0);
            OffloadPlan p = place(model, settings, gpus, split, layers, moe, "");
            String over = overcommitted(p, gpus, settings);
            return withReason(p, "num_gpu " + settings.numGpu() + ": " + layers + " of " + total + " layers on GPU"
                    + expertsNote(model, moe) + (over.isEmpty() ? "" : " (" + over + ")"));
        }
        if (fixedMoe < 0) {
            OffloadPlan all = place(model, settings, gpus, split, total, 0, "");
            if (overcommitted(all, gpus, settings).isEmpty()) {
                return withReason(all, "all " + total + " layers fit on GPU");
            }
            if (model.hasExperts()) {
                // As llama.cpp's --fit does for a mixture of experts: every layer's attention and dense weights
                // stay on the GPU, and experts (most of the bytes, a few of them used per token) go to host
                // memory layer by layer until the rest fits.
                for (int k = 1; k <= n; k++) {
                    OffloadPlan p = place(model, settings, gpus, split, total, k, "");
                    if (overcommitted(p, gpus, settings).isEmpty()) {
                        return withReason(p, "all " + total + " layers on GPU" + expertsNote(model, k));
                    }
                }
            }
        }
        int moe = fixedMoe >= 0 ? fixedMoe : model.hasExperts() ? n : 0;
        for (int layers = fixedMoe >= 0 ? total : total - 1; layers > 0; layers--) {
            OffloadPlan p = place(model, settings, gpus, split, layers, moe, "");
            if (overcommitted(p, gpus, settings).isEmpty()) {
                return withReason(p, (layers == total ? "all " + total + " layers fit on GPU"
                        : layers + " of " + total + " layers fit in free GPU memory") + expertsNote(model, moe));
            }
        }
        OffloadPlan one = place(model, settings, gpus, split, 1, moe, "");
        return place(model, settings, gpus, split, 0, moe, "not even one layer fits in free GPU memory ("
                + overcommitted(one, gpus, settings) + "): all " + total + " layers on the CPU");
    }

    /** ", the experts of the first k layers in host memory", or "" for none or a dense model. */
    private static String expertsNote(ModelFootprint model, int k) {
        if (k == 0 || !model.hasExperts()) {
            return "";
        }
        return k >= model.layerCount() ? ", every layer's experts in host memory"
                : ", the experts of the first " + k + " of " + model.layerCount() + " layers in host memory";
    }

    /** The GPUs llama.cpp offloads to: the discrete ones, else the integrated ones. */
    static List<ComputeDevice> offloadTargets(List<ComputeDevice> devices) {
        List<ComputeDevice> gpus = new ArrayList<>();
        List<ComputeDevice> igpus = new ArrayList<>();
        for (ComputeDevice d : devices) {
            if (d.type() == DeviceType.GPU) {
                gpus.add(d);
            } else if (d.type() == DeviceType.IGPU) {
                igpus.add(d);
            }
        }
        return gpus.isEmpty() ? igpus : gpus;
    }

    private static long usable(ComputeDevice gpu, OffloadSettings s) {
        return Math.max(0, gpu.freeBytes() - s.gpuOverheadBytes());
    }

    /** The setting's split (first entries, missing ones 0), else usable free memory; never all zero. */
    private static float[] proportions(OffloadSettings s, List<ComputeDevice> gpus) {
        float[] p = new float[gpus.size()];
        boolean any = false;
        for (int i = 0; i < p.length && i < s.tensorSplit().size(); i++) {
            p[i] = s.tensorSplit().get(i);
            any |= p[i] > 0;
        }
        if (!any) {
            for (int i = 0; i < p.length; i++) {
                p[i] = usable(gpus.get(i), s);
                any |= p[i] > 0;
            }
        }
        if (!any) {
            p[0] = 1; // nothing is free anywhere: whatever is offloaded cannot fit; keep the arithmetic defined
        }
        return p;
    }

    /** Which GPU holds each offloaded layer, exactly as llama.cpp computes it (float split points). */
    static int[] assign(float[] proportions, int layers) {
        float[] points = new float[proportions.length];
        float sum = 0;
        for (int i = 0; i < points.length; i++) {
            sum += proportions[i];
            points[i] = sum;
        }
        for (int i = 0; i < points.length; i++) {
            points[i] /= sum;
        }
        int[] gpuOf = new int[layers];
        for (int k = 0; k < layers; k++) {
            float at = (float) k / layers;
            int g = 0;
            while (g < points.length && points[g] <= at) { // std::upper_bound: first point > at
                g++;
            }
            gpuOf[k] = Math.min(g, points.length - 1);
        }
        return gpuOf;
    }

    private static OffloadPlan place(ModelFootprint m, OffloadSettings s, List<ComputeDevice> gpus, float[] split,
                                     int layers, int cpuMoe, String reason) {
        int n = m.layerCount();
        int total = n + 1;
        int first = total - layers; // layers first..n are offloaded; index n is the output layer
        int[] gpuOf = assign(split, layers);
        int g = gpus.size();
        int[] gpuLayers = new int[g];
        long[] gpuWeights = new long[g];
        long[] gpuKv = new long[g];
        boolean[] holdsOutput = new boolean[g];
        long cpuWeights = m.tokenEmbeddingBytes();
        long cpuKv = 0;
        int cpuLayers = 0;
        for (int il = 0; il <= n; il++) {
            boolean output = il == n;
            long weights = output ? m.outputBytes() : m.layerWeightBytes().get(il);
            long kv = output ? 0 : kvCellsPerSequence(m, s, il) * s.slots() * m.kvBytesPerCell(il, s.kvType());
            if (il < first) {
                cpuLayers++;
                cpuWeights += output && m.outputTied() ? weights - m.tokenEmbeddingBytes() : weights;
                cpuKv += kv;
            } else {
                int d = gpuOf[il - first];
                // n_cpu_moe: the layer is on the GPU but its expert matrices stay in host memory
                long hostExperts = !output && il < cpuMoe ? m.layerExpertBytes().get(il) : 0;
                cpuWeights += hostExperts;
                gpuLayers[d]++;
                gpuWeights[d] += weights - hostExperts;
                gpuKv[d] += kv;
                holdsOutput[d] |= output;
            }
        }
        List<DeviceUse> uses = new ArrayList<>(g);
        for (int d = 0; d < g; d++) {
            long compute = gpuLayers[d] == 0 ? 0 : computeBytes(m, s, holdsOutput[d]);
            uses.add(new DeviceUse(gpus.get(d).name(), gpuLayers[d], gpuWeights[d], gpuKv[d], compute));
        }
        List<Float> tensorSplit = new ArrayList<>();
        if (g > 1) {
            for (float f : split) {
                tensorSplit.add(f);
            }
        }
        int moe = m.hasExperts() && layers > 0 ? Math.min(cpuMoe, n) : 0; // what n_cpu_moe changes
        return new OffloadPlan(layers, total, tensorSplit, moe, new DeviceUse("CPU", cpuLayers, cpuWeights, cpuKv, 0),
                uses, reason);
    }

    /**
     * The KV cells layer {@code il} keeps per sequence: {@code numCtx}, or for a sliding-window layer without
     * {@code swaFull} llama.cpp's window-sized cache, {@code window + ubatch} rounded up to 256 and at most
     * {@code numCtx} (src/llama-kv-cache-iswa.cpp, one stream per sequence).
     */
    static long kvCellsPerSequence(ModelFootprint m, OffloadSettings s, int il) {
        if (s.swaFull() || !m.slidingWindowLayer(il)) {
            return s.numCtx();
        }
        long window = Math.min(s.numCtx(), (long) m.slidingWindow() + s.ubatch());
        return Math.min(s.numCtx(), (window + 255) / 256 * 256);
    }

    /**
     * An estimate of a GPU's compute buffer: what llama.cpp reserves for its worst-case graph, one micro-batch of
     * {@code n = min(ubatch, numCtx x slots)} tokens over a full cache. ggml's allocator reuses a tensor's memory once
     * nothing reads it, so the buffer is the peak of what is alive at once, which is one of three moments (in bytes,
     * F32; {@code h = 4n x embedding}, {@code kv} the cells of one sequence's cache, rounded up to 256 as llama.cpp
     * pads them):
     * <ul>
     *   <li>attention: the scores {@code 4n x kv x heads} (not with flash attention, which computes them in tiles),
     *       the mask ({@code 4n x kv}, F16 with flash attention), {@code 5h} and the layer's K and V;</li>
     *   <li>feed-forward: three {@code 4n x activeFeedForwardLength} tensors (gate, up, their product), {@code 5h} and
     *       the mask, which every layer reads;</li>
     *   <li>output, on the GPU that holds it: the logits ({@code 4n x vocabulary}) and {@code 3h};</li>
     * </ul>
     * plus {@code 3h} for the allocator's fragmentation. Calibrated against the compute buffer llama.cpp itself
     * reports on the CPU backend for five model shapes (dense and mixture-of-experts, vocabulary- or width-heavy) at
     * 14 settings each: never below it, at most 1.7 times it (ComputeBufferEstimateTest). The CUDA backend sizes the
     * same graph with the same allocator; its kernels' scratch memory comes from pools outside this buffer, which the
     * GPU reserve ({@code PUNA_GPU_OVERHEAD}) is for.
     */
    static long computeBytes(ModelFootprint m, OffloadSettings s, boolean output) {
        long n = Math.min(s.ubatch(), (long) s.numCtx() * s.slots());
        long kv = (s.numCtx() + 255L) / 256 * 256;
        long h = 4 * n * m.embeddingLength();
        long kvHeads = 0;
        for (int heads : m.headCountKv()) {
            kvHeads = Math.max(kvHeads, heads);
        }
        long scores = s.flashAttention() ? 0 : 4 * n * kv * m.headCount();
        long mask = (s.flashAttention() ? 2 : 4) * n * kv;
        long attention = scores + mask + 5 * h + 4 * n * kvHeads * (m.keyLength() + m.valueLength());
        long feedForward = 3 * 4 * n * m.activeFeedForwardLength() + 5 * h + mask;
        long logits = output ? 4 * n * m.vocabSize() + 3 * h : 0;
        return Math.max(Math.max(attention, feedForward), logits) + 3 * h;
    }

    /** "" when every GPU stays within its free memory less the reserve, else which one does not. */
    private static String overcommitted(OffloadPlan p, List<ComputeDevice> gpus, OffloadSettings s) {
        for (int d = 0; d < gpus.size(); d++) {
            long need = p.gpus().get(d).totalBytes();
            long room = usable(gpus.get(d), s);
            if (need > room) {
                return String.format(Locale.ROOT, "%s needs %d MiB, %d MiB free after the %d MiB reserve",
                        gpus.get(d).name(), ceilMib(need), room / MIB, s.gpuOverheadBytes() / MIB);
            }
        }
        return "";
    }

    private static long ceilMib(long bytes) {
        return (bytes + MIB - 1) / MIB;
    }

    private static OffloadPlan withReason(OffloadPlan p, String reason) {
        return new OffloadPlan(p.gpuLayers(), p.totalLayers(), p.tensorSplit(), p.cpuMoeLayers(), p.cpu(), p.gpus(),
                reason);
    }
}
