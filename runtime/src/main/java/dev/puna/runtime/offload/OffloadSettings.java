package dev.puna.runtime.offload;

import dev.puna.runtime.InvalidParameterException;
import dev.puna.runtime.KvCacheType;
import java.util.List;
import java.util.Objects;

/**
 * What a load asks of the planner besides the model and the devices. Immutable; build with {@link #builder()}.
 *
 * <ul>
 *   <li>{@code numCtx} and {@code slots}: the KV cache holds {@code numCtx} cells for each of {@code slots}
 *       sequences ({@code PUNA_NUM_PARALLEL}), at {@code kvType}.</li>
 *   <li>{@code ubatch} (default 512) and {@code flashAttention} (default false) size the compute buffer estimate.</li>
 *   <li>{@code swaFull} (default false, as the runtime's {@link dev.puna.runtime.SessionParams}): whether a model's
 *       sliding-window layers keep {@code numCtx} cells per sequence; else {@code window + ubatch} (rounded up to
 *       256, at most {@code numCtx}), as llama.cpp sizes the window-sized cache of one KV stream per sequence.</li>
 *   <li>{@code gpuOverheadBytes}: memory left free on every GPU ({@code PUNA_GPU_OVERHEAD}, default 0 like
 *       Ollama's {@code OLLAMA_GPU_OVERHEAD}; llama.cpp's {@code --fit} leaves 1 GiB).</li>
 *   <li>{@code tensorSplit}: proportions of the offloaded layers per GPU ({@code PUNA_TENSOR_SPLIT}); empty
 *       (default) splits in proportion to each GPU's free memory.</li>
 *   <li>{@code numGpu}: {@code -1} (default) lets the planner choose; {@code n >= 0} offloads exactly {@code n}
 *       layers (Ollama's {@code num_gpu}), fit or not.</li>
 *   <li>{@code cpuMoeLayers}: {@code -1} (default) lets the planner choose how many layers keep their
 *       mixture-of-experts weights in host memory, when {@code numGpu} is unset too (else none); {@code n >= 0}
 *       keeps those of the first {@code n} layers there (llama-server's {@code --n-cpu-moe}), fit or not.</li>
 *   <li>{@code mainGpu}: {@code -1} (default) uses every GPU; {@code n >= 0} only GPU {@code n} (Ollama's
 *       {@code main_gpu}).</li>
 * </ul>
 */
public final class OffloadSettings {
    private final int numCtx;
    private final int slots;
    private final KvCacheType kvType;
    private final int ubatch;
    private final boolean flashAttention;
    private final long gpuOverheadBytes;
    private final List<Float> tensorSplit;
    private final int numGpu;
    private final int cpuMoeLayers;
    private final int mainGpu;
    private final boolean swaFull;

    private OffloadSettings(Builder b) {
        this.swaFull = b.swaFull;
        this.numCtx = b.numCtx;
        this.slots = b.slots;
        this.kvType = b.kvType;
        this.ubatch = b.ubatch;
        this.flashAttention = b.flashAttention;
        this.gpuOverheadBytes = b.gpuOverheadBytes;
        this.tensorSplit = b.tensorSplit;
        this.numGpu = b.numGpu;
        this.cpuMoeLayers = b.cpuMoeLayers;
        this.mainGpu = b.mainGpu;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int numCtx() {
        return numCtx;
    }

    public int slots() {
        return slots;
    }

    public KvCacheType kvType() {
        return kvType;
    }

    public int ubatch() {
        return ubatch;
    }

    public boolean flashAttention() {
        return flashAttention;
    }

    public long gpuOverheadBytes() {
        return gpuOverheadBytes;
    }

    /** Proportions per GPU, or empty for "by free memory". */
    public List<Float> tensorSplit() {
        return tensorSplit;
    }

    public int numGpu() {
        return numGpu;
    }

    /** Layers whose experts stay in host memory, or -1 for the planner's choice. */
    public int cpuMoeLayers() {
        return cpuMoeLayers;
    }

    public int mainGpu() {
        return mainGpu;
    }

    public boolean swaFull() {
        return swaFull;
    }

    @Override
    public String toString() {
        return "OffloadSettings[numCtx=" + numCtx + ", slots=" + slots + ", kvType=" + kvType + ", ubatch=" + ubatch
                + ", flashAttention=" + flashAttention + ", gpuOverheadBytes=" + gpuOverheadBytes + ", tensorSplit="
                + tensorSplit + ", numGpu=" + numGpu + ", cpuMoeLayers=" + cpuMoeLayers + ", mainGpu=" + mainGpu
                + ", swaFull=" + swaFull + "]";
    }

    /** Builder for {@link OffloadSettings}; every setter validates its argument. */
    public static final class Builder {
        private int numCtx = 4096;
        private int slots = 1;
        private KvCacheType kvType = KvCacheType.F16;
        private int ubatch = 512;
        private boolean flashAttention;
        private long gpuOverheadBytes;
        private List<Float> tensorSplit = List.of();
        private int numGpu = -1;
        private int cpuMoeLayers = -1;
        private int mainGpu = -1;
        private boolean swaFull;

        private Builder() {
        }

        public Builder swaFull(boolean v) {
            this.swaFull = v;
            return this;
        }

        public Builder numCtx(int n) {
            InvalidParameterException.require(n > 0, "num_ctx", "must be > 0, got " + n);
            this.numCtx = n;
            return this;
        }

        public Builder slots(int n) {
            InvalidParameterException.require(n > 0, "num_parallel", "must be > 0, got " + n);
            this.slots = n;
            return this;
        }

        public Builder kvType(KvCacheType t) {
            this.kvType = Objects.requireNonNull(t, "kvType");
            return this;
        }

        public Builder ubatch(int n) {
            InvalidParameterException.require(n > 0, "num_batch", "must be > 0, got " + n);
            this.ubatch = n;
            return this;
        }

        public Builder flashAttention(boolean v) {
            this.flashAttention = v;
            return this;
        }

        public Builder gpuOverheadBytes(long bytes) {
            InvalidParameterException.require(bytes >= 0, "PUNA_GPU_OVERHEAD", "must be >= 0, got " + bytes);
            this.gpuOverheadBytes = bytes;
            return this;
        }

        /** Proportions per GPU in device order; all finite, none negative, at least one positive (or empty). */
        public Builder tensorSplit(List<Float> proportions) {
            List<Float> p = List.copyOf(proportions);
            boolean positive = false;
            for (float f : p) {
                InvalidParameterException.require(Float.isFinite(f) && f >= 0, "tensor_split",
                        "proportions must be finite and >= 0, got " + p);
                positive |= f > 0;
            }
            InvalidParameterException.require(p.isEmpty() || positive, "tensor_split",
                    "at least one proportion must be > 0, got " + p);
            this.tensorSplit = p;
            return this;
        }

        public Builder numGpu(int n) {
            InvalidParameterException.require(n >= -1, "num_gpu", "must be >= -1 (-1 = auto), got " + n);
            this.numGpu = n;
            return this;
        }

        public Builder cpuMoeLayers(int n) {
            InvalidParameterException.require(n >= -1, "n_cpu_moe", "must be >= -1 (-1 = auto), got " + n);
            this.cpuMoeLayers = n;
            return this;
        }

        public Builder mainGpu(int n) {
            InvalidParameterException.require(n >= -1, "main_gpu", "must be >= -1, got " + n);
            this.mainGpu = n;
            return this;
        }

        public OffloadSettings build() {
            return new OffloadSettings(this);
        }
    }
}
