package dev.puna.runtime;

/**
 * How a model file is loaded. Immutable; build with {@link #builder()}.
 *
 * <ul>
 *   <li>{@code gpuLayers}: layers to offload to the GPU; {@code -1} (default) offloads all of them when a GPU
 *       backend is built in, 0 keeps everything on the CPU (Ollama's {@code num_gpu}).</li>
 *   <li>{@code useMmap} (default true): map the file instead of reading it; shares pages between processes.</li>
 *   <li>{@code useMlock} (default false): lock the weights in RAM so the OS cannot page them out.</li>
 *   <li>{@code vocabOnly} (default false): load only the tokenizer (tokenize/detokenize, no sessions).</li>
 * </ul>
 */
public final class ModelParams {
    private static final ModelParams DEFAULTS = builder().build();

    private final int gpuLayers;
    private final boolean useMmap;
    private final boolean useMlock;
    private final boolean vocabOnly;

    private ModelParams(Builder b) {
        this.gpuLayers = b.gpuLayers;
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

    public boolean useMmap() {
        return useMmap;
    }

    public boolean useMlock() {
        return useMlock;
    }

    public boolean vocabOnly() {
        return vocabOnly;
    }

    /** Builder for {@link ModelParams}. */
    public static final class Builder {
        private int gpuLayers = -1;
        private boolean useMmap = true;
        private boolean useMlock;
        private boolean vocabOnly;

        private Builder() {
        }

        public Builder gpuLayers(int n) {
            InvalidParameterException.require(n >= -1, "num_gpu", "must be >= -1 (-1 = all layers), got " + n);
            this.gpuLayers = n;
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

        public ModelParams build() {
            return new ModelParams(this);
        }
    }
}
