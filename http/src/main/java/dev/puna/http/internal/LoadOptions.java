package dev.puna.http.internal;

/**
 * The options that decide how a model is loaded and its engine created. A request whose load options differ
 * from the loaded instance's makes the scheduler reload the model (as Ollama does).
 *
 * @param numCtx context of each slot ({@code num_ctx})
 * @param numBatch most tokens per decode call ({@code num_batch})
 * @param numThread CPU threads, 0 for the runtime's default ({@code num_thread})
 * @param numGpu layers to offload, -1 for the offload planner's choice ({@code num_gpu})
 * @param mainGpu the one GPU to load the model on ({@code main_gpu}), -1 (not given) for llama.cpp's split over
 *     every GPU; a GPU that does not exist fails the load with a 400
 * @param useMmap map the file instead of reading it ({@code use_mmap})
 * @param useMlock lock the weights in RAM ({@code use_mlock})
 * @param draft speculative decoding: the draft model and how to draft ({@code draft_model}, {@code draft_max},
 *     {@code draft_min}, {@code draft_p_min}, llama-server's names)
 * @param rpcServers the RPC workers to split the model over ({@code rpc_servers}, {@code host:port,...} as checked
 *     against {@code PUNA_RPC_SERVERS}); the empty string keeps the model local, null uses every worker of
 *     {@code PUNA_RPC_SERVERS}
 * @param cpuMoeLayers how many of the first layers keep their mixture-of-experts weights in host memory
 *     ({@code n_cpu_moe}, llama-server's {@code --n-cpu-moe}), -1 (not given) for the offload planner's choice
 */
public record LoadOptions(int numCtx, int numBatch, int numThread, int numGpu, int mainGpu, boolean useMmap,
                          boolean useMlock, Draft draft, String rpcServers, int cpuMoeLayers) {
    /**
     * Speculative decoding settings.
     *
     * @param model the draft model's name, or null for the server's default ({@code PUNA_DRAFT_MODEL}); the empty
     *     string turns drafting off
     */
    public record Draft(String model, int max, int min, float pMin) {
        /** No draft model named: the server's default applies, with the pinned llama-server's defaults. */
        public static final Draft DEFAULT = new Draft(null, 3, 0, 0f);
    }

    /** Options with the default draft settings. */
    public LoadOptions(int numCtx, int numBatch, int numThread, int numGpu, int mainGpu, boolean useMmap,
                       boolean useMlock) {
        this(numCtx, numBatch, numThread, numGpu, mainGpu, useMmap, useMlock, Draft.DEFAULT);
    }

    /** Options on the server's RPC workers, if any. */
    public LoadOptions(int numCtx, int numBatch, int numThread, int numGpu, int mainGpu, boolean useMmap,
                       boolean useMlock, Draft draft) {
        this(numCtx, numBatch, numThread, numGpu, mainGpu, useMmap, useMlock, draft, null);
    }

    /** Options with the planner's choice of expert layers in host memory. */
    public LoadOptions(int numCtx, int numBatch, int numThread, int numGpu, int mainGpu, boolean useMmap,
                       boolean useMlock, Draft draft, String rpcServers) {
        this(numCtx, numBatch, numThread, numGpu, mainGpu, useMmap, useMlock, draft, rpcServers, -1);
    }
}
