package dev.puna.runtime;

import dev.puna.runtime.rpc.RpcEndpoint;
import java.util.List;

/**
 * How a model file is loaded. Immutable; build with {@link #builder()}.
 *
 * <ul>
 *   <li>{@code gpuLayers}: layers to offload to the GPU; {@code -1} (default) offloads all of them when a GPU
 *       backend is built in, 0 keeps everything on the CPU (Ollama's {@code num_gpu}).</li>
 *   <li>{@code mainGpu}: {@code -1} (default) spreads the offloaded layers over every GPU (llama.cpp's layer
 *       split); {@code n >= 0} puts the whole model on GPU {@code n} alone (split mode none, Ollama's
 *       {@code main_gpu}). A GPU that does not exist fails the load with an {@link InvalidParameterException}
 *       ({@code main_gpu}); on a build without a GPU backend only 0, the CPU, is valid.</li>
 *   <li>{@code tensorSplit}: the proportion of the offloaded layers each GPU gets, in llama.cpp's device order
 *       ({@code tensor_split}, e.g. the {@link dev.puna.runtime.offload.OffloadPlan}'s); empty (default) lets
 *       llama.cpp split by free memory. More entries than llama.cpp supports devices fail the load with an
 *       {@link InvalidParameterException} ({@code tensor_split}).</li>
 *   <li>{@code cpuMoeLayers} (default 0): the mixture-of-experts weights ({@code ffn_*_exps}) of the first
 *       {@code n} layers stay in host memory even where their layer is offloaded (llama-server's
 *       {@code --n-cpu-moe n}; {@code n} at least the model's layer count is {@code --cpu-moe}). The experts are
 *       most of such a model's bytes but only a few run per token, so the rest of the layer on the GPU keeps most
 *       of its speed. No effect on a dense model.</li>
 *   <li>{@code useMmap} (default true): map the file instead of reading it; shares pages between processes.</li>
 *   <li>{@code useMlock} (default false): lock the weights in RAM so the OS cannot page them out.</li>
 *   <li>{@code vocabOnly} (default false): load only the tokenizer (tokenize/detokenize, no sessions).</li>
 *   <li>{@code rpcServers} (default none): llama.cpp {@code rpc-server} workers the offloaded layers are split
 *       over, in proportion to the memory each reports (llama-server's {@code --rpc}); with workers, the model's
 *       layers go to them instead of local GPUs.</li>
 * </ul>
 */
public final class ModelParams {
    private static final ModelParams DEFAULTS = builder().build();

    private final int gpuLayers;
    private final int mainGpu;
    private final java.util.List<Float> tensorSplit;
    private final int cpuMoeLayers;
    private final boolean useMmap;
    private final boolean useMlock;
    private final boolean vocabOnly;
    private final List<RpcEndpoint> rpcServers;

    private ModelParams(Builder b) {
        this.rpcServers = b.rpcServers;
        this.gpuLayers = b.gpuLayers;
        this.mainGpu = b.mainGpu;
        this.tensorSplit = b.tensorSplit;
        this.cpuMoeLayers = b.cpuMoeLayers;
        this.useMmap = b.useMmap;
        this.useMlock = b.useMlock;
        this.vocabOnly = b.vocabOnly;
    }

    public static ModelParams defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int gpuLayers() {
        return gpuLayers;
    }

    /** The only GPU to use, or -1 for all of them. */
    public int mainGpu() {
        return mainGpu;
    }

    /** Proportions of the offloaded layers per GPU, or empty for llama.cpp's split by free memory. */
    public java.util.List<Float> tensorSplit() {
        return tensorSplit;
    }

    /** How many of the first layers keep their expert weights in host memory (0: none). */
    public int cpuMoeLayers() {
        return cpuMoeLayers;
    }

    public boolean useMmap() {
        return useMmap;
    }

    public boolean useMlock() {
        return useMlock;
    }

    public boolean vocabOnly() {
        return vocabOnly;
    }

    /** The RPC workers the model's layers are split over; empty for a local model. */
    public List<RpcEndpoint> rpcServers() {
        return rpcServers;
    }

    /** Builder for {@link ModelParams}. */
    public static final class Builder {
        private int gpuLayers = -1;
        private int mainGpu = -1;
        private java.util.List<Float> tensorSplit = java.util.List.of();
        private int cpuMoeLayers;
        private boolean useMmap = true;
        private boolean useMlock;
        private boolean vocabOnly;
        private List<RpcEndpoint> rpcServers = List.of();

        private Builder() {
        }

        public Builder gpuLayers(int n) {
            InvalidParameterException.require(n >= -1, "num_gpu", "must be >= -1 (-1 = all layers), got " + n);
            this.gpuLayers = n;
            return this;
        }

        /** The only GPU to load the model on ({@code main_gpu}); -1 (default) for llama.cpp's split over all. */
        public Builder mainGpu(int n) {
            InvalidParameterException.require(n >= -1, "main_gpu", "must be >= 0, got " + n);
            this.mainGpu = n;
            return this;
        }

        /** Proportions per GPU: finite, none negative (an empty list or all zeros: llama.cpp's own split). */
        public Builder tensorSplit(java.util.List<Float> proportions) {
            java.util.List<Float> p = java.util.List.copyOf(proportions);
            for (float f : p) {
                InvalidParameterException.require(Float.isFinite(f) && f >= 0, "tensor_split",
                        "proportions must be finite and >= 0, got " + p);
            }
            this.tensorSplit = p;
            return this;
        }

        /** The first {@code n} layers' expert weights in host memory ({@code n_cpu_moe}); 0 (default): none. */
        public Builder cpuMoeLayers(int n) {
            InvalidParameterException.require(n >= 0, "n_cpu_moe", "must be >= 0, got " + n);
            this.cpuMoeLayers = n;
            return this;
        }

        public Builder useMmap(boolean v) {
            this.useMmap = v;
            return this;
        }

        public Builder useMlock(boolean v) {
            this.useMlock = v;
            return this;
        }

        public Builder vocabOnly(boolean v) {
            this.vocabOnly = v;
            return this;
        }

        /** Splits the model over these llama.cpp RPC workers (empty: local). */
        public Builder rpcServers(List<RpcEndpoint> endpoints) {
            this.rpcServers = List.copyOf(endpoints);
            return this;
        }

        public ModelParams build() {
            return new ModelParams(this);
        }
    }
}
