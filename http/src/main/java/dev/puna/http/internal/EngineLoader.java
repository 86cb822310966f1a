package dev.puna.http.internal;

import dev.puna.http.CatalogModel;
import dev.puna.http.ServerConfig;
import dev.puna.http.internal.gotemplate.OllamaTemplate;
import dev.puna.http.internal.lora.LoraScales;
import dev.puna.http.ModelCatalog;
import dev.puna.runtime.DraftParams;
import dev.puna.runtime.Engine;
import dev.puna.runtime.EngineParams;
import dev.puna.runtime.InvalidParameterException;
import dev.puna.runtime.LlamaCpp;
import dev.puna.runtime.LoraAdapter;
import dev.puna.runtime.Model;
import dev.puna.runtime.ModelParams;
import dev.puna.runtime.Reranker;
import dev.puna.runtime.ResourceClosedException;
import dev.puna.runtime.SessionParams;
import dev.puna.runtime.chat.ChatMessage;
import dev.puna.runtime.offload.ComputeDevice;
import dev.puna.runtime.offload.Devices;
import dev.puna.runtime.offload.ModelFootprint;
import dev.puna.runtime.offload.OffloadPlan;
import dev.puna.runtime.offload.OffloadPlanner;
import dev.puna.runtime.offload.OffloadSettings;
import dev.puna.runtime.rpc.RpcEndpoint;
import dev.puna.runtime.vision.Projector;
import dev.puna.runtime.vision.ProjectorParams;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * How the server loads a model for serving: the GGUF file with the request's load options, its LoRA adapters
 * (Modelfile {@code ADAPTER}, at scale 1 until {@code POST /lora-adapters} or a request says otherwise), and one
 * {@link Engine} with {@code PUNA_NUM_PARALLEL} slots of {@code num_ctx} tokens each. Also estimates what that
 * takes in memory: the mapped weights plus the KV cache of every slot, split between host RAM and the GPUs by the
 * {@link OffloadPlanner}'s plan.
 *
 * <p>GPU layers: a request's or Modelfile's {@code num_gpu} of 0 or more is used as given; unset or -1 (Ollama's
 * "auto") takes the planner's choice for the devices llama.cpp reports, which on a machine without a GPU is 0. The
 * devices are read once, on first use, so every model is planned against the GPUs' free memory before Puna loaded
 * anything and the scheduler keeps the loaded models' planned VRAM within that ({@link #vramBudget()}). A draft
 * model for speculative decoding is planned the same way on what the model leaves of each GPU. A mixture-of-experts
 * model's {@code n_cpu_moe} (llama-server's {@code --n-cpu-moe}) is likewise the request's or Modelfile's when
 * given, else the planner's.
 */
public final class EngineLoader implements ModelScheduler.Loader, ModelScheduler.Estimator {
    private static final Logger LOG = LogManager.getLogger(EngineLoader.class);
    /** A model store's blob: {@code sha256-<hex>} of its content. */
    private static final Pattern BLOB_NAME = Pattern.compile("sha256-[0-9a-f]{64}");

    private final ServerConfig config;
    private final Metrics metrics;
    private final ModelCatalog catalog;
    private final Supplier<List<ComputeDevice>> devices;
    /** Guarded by this: the devices as first read. */
    private List<ComputeDevice> deviceSnapshot;

    public EngineLoader(ServerConfig config) {
        this(config, null, null);
    }

    /**
     * @param metrics where load times go; may be null
     * @param catalog where draft models are looked up; null: no speculative decoding
     */
    public EngineLoader(ServerConfig config, Metrics metrics, ModelCatalog catalog) {
        this(config, metrics, catalog, Devices::list);
    }

    /** As above, planning offload for {@code devices} (recorded figures in tests) instead of llama.cpp's. */
    public EngineLoader(ServerConfig config, Metrics metrics, ModelCatalog catalog,
                        Supplier<List<ComputeDevice>> devices) {
        this.config = config;
        this.metrics = metrics;
        this.catalog = catalog;
        this.devices = devices;
    }

    private synchronized List<ComputeDevice> devices() {
        if (deviceSnapshot == null) {
            deviceSnapshot = List.copyOf(devices.get());
        }
        return deviceSnapshot;
    }

    /** The offload plan for {@code m} with {@code o}: reads the GGUF header, so call it off the event loop. */
    public OffloadPlan plan(CatalogModel m, LoadOptions o) throws IOException {
        return OffloadPlanner.plan(ModelFootprint.read(m.path()), settings(o), devices());
    }

    private OffloadSettings settings(LoadOptions o) {
        return OffloadSettings.builder().numCtx(o.numCtx()).slots(config.numParallel())
                .kvType(config.kvCacheType()).ubatch(Math.min(512, o.numBatch()))
                .flashAttention(config.flashAttention() == dev.puna.runtime.FlashAttention.ENABLED)
                .gpuOverheadBytes(config.gpuOverheadBytes()).tensorSplit(config.tensorSplit())
                .numGpu(o.numGpu()).cpuMoeLayers(o.cpuMoeLayers()).mainGpu(o.mainGpu()).swaFull(config.swaFull())
                .build();
    }

    /** The main model's plan and, when there is a draft model, the draft's. */
    private record Plans(OffloadPlan main, OffloadPlan draft) {
    }

    /**
     * Plans the model, then its draft (its context has the same slots and {@code num_ctx}, Speculator) on what the
     * model leaves of each GPU: the model is placed first, and the draft gets GPU layers only where room is left.
     */
    private Plans plans(CatalogModel m, LoadOptions o, DraftChoice draft) throws IOException {
        OffloadSettings s = settings(o);
        List<ComputeDevice> devs = devices();
        OffloadPlan main = OffloadPlanner.plan(ModelFootprint.read(m.path()), s, devs);
        OffloadPlan d = draft == null ? null
                : OffloadPlanner.plan(ModelFootprint.read(draft.model().path()), s, remaining(devs, main));
        return new Plans(main, d);
    }

    /** {@code devices} with what {@code plan} puts on each GPU taken off its free memory. */
    static List<ComputeDevice> remaining(List<ComputeDevice> devices, OffloadPlan plan) {
        List<ComputeDevice> out = new ArrayList<>(devices.size());
        for (ComputeDevice d : devices) {
            long used = 0;
            for (OffloadPlan.DeviceUse g : plan.gpus()) {
                if (g.device().equals(d.name())) {
                    used += g.totalBytes();
                }
            }
            out.add(used == 0 ? d : new ComputeDevice(d.name(), d.description(), d.type(),
                    Math.max(0, d.freeBytes() - used), d.totalBytes()));
        }
        return out;
    }

    /**
     * A load's model parameters: the plan's GPU layers unless {@code num_gpu} is set, its expert layers in host
     * memory unless {@code n_cpu_moe} is set, and its tensor split.
     */
    static ModelParams modelParams(LoadOptions o, OffloadPlan plan, List<RpcEndpoint> workers) {
        if (!workers.isEmpty()) {
            // Split over the workers by the memory each reports, as llama-server's --rpc does; the plan knows only
            // local devices.
            return ModelParams.builder().gpuLayers(o.numGpu()).mainGpu(o.mainGpu()).useMmap(o.useMmap())
                    .useMlock(o.useMlock()).cpuMoeLayers(Math.max(o.cpuMoeLayers(), 0)).rpcServers(workers).build();
        }
        ModelParams.Builder params = ModelParams.builder()
                .gpuLayers(o.numGpu() >= 0 ? o.numGpu() : plan.gpuLayers()).mainGpu(o.mainGpu())
                .cpuMoeLayers(o.cpuMoeLayers() >= 0 ? o.cpuMoeLayers() : plan.cpuMoeLayers())
                .useMmap(o.useMmap()).useMlock(o.useMlock());
        if (o.mainGpu() < 0) {
            params.tensorSplit(plan.tensorSplit()); // empty for one GPU or none: llama.cpp's own split
        }
        return params.build();
    }

    /** The GPUs' free memory when first read, less {@code PUNA_GPU_OVERHEAD} each: what all models may plan. */
    @Override
    public long vramBudget() {
        long sum = 0;
        for (ComputeDevice d : devices()) {
            if (d.offloadable()) {
                sum += Math.max(0, d.freeBytes() - config.gpuOverheadBytes());
            }
        }
        return sum;
    }

    /**
     * The draft model to speculate with: the request's or Modelfile's {@code draft_model} (strict: a draft that
     * cannot draft for the model is an error), else {@code PUNA_DRAFT_MODEL}'s entry for the model, else its
     * default draft (lenient: skipped with a log line when its vocabulary differs). Empty {@code draft_model}: none.
     */
    private record DraftChoice(CatalogModel model, boolean strict) {
    }

    private DraftChoice draftFor(CatalogModel m, LoadOptions o) throws IOException {
        String name = o.draft().model();
        boolean strict = true;
        if (name == null) {
            name = config.draftModels().get(ModelNames.canonical(m.name()));
            if (name == null) {
                name = config.draftModels().get(ServerConfig.ANY_MODEL);
                strict = false;
            }
        }
        if (name == null || name.isEmpty() || catalog == null
                || ModelNames.canonical(name).equals(ModelNames.canonical(m.name()))) {
            return null;
        }
        String draft = name;
        CatalogModel found = catalog.find(draft).orElseThrow(() -> ApiException.badParameter("draft_model",
                "draft model '" + draft + "' not found"));
        return new DraftChoice(found, strict);
    }

    /** The workers the model is split over: the request's pick, else every one of PUNA_RPC_SERVERS. */
    private List<RpcEndpoint> rpcServers(LoadOptions o) {
        return o.rpcServers() == null ? config.rpcServers() : RpcEndpoint.parseList(o.rpcServers());
    }

    /** Loads the model and starts its engine; runs on a loader thread. */
    @Override
    public ModelScheduler.Served load(CatalogModel m, LoadOptions o) throws IOException {
        long start = System.nanoTime();
        DraftChoice draftChoice = draftFor(m, o);
        Plans plans = plans(m, o, draftChoice);
        OffloadPlan plan = plans.main();
        List<RpcEndpoint> workers = rpcServers(o);
        ModelParams params = modelParams(o, plan, workers);
        if (workers.isEmpty()) {
            LOG.info("{}: {} GPU layers, n_cpu_moe {} ({}), {} MiB on GPU, {} MiB in RAM", m.name(),
                    params.gpuLayers(), params.cpuMoeLayers(), plan.reason(), plan.gpuBytes() >> 20,
                    plan.cpu().totalBytes() >> 20);
        } else {
            LOG.info("{}: layers on RPC workers {} (num_gpu {})", m.name(), workers, params.gpuLayers());
        }
        Model model = Model.load(m.path(), params);
        List<LoraAdapter> adapters = new ArrayList<>();
        Model draft = null;
        Projector projector = null;
        try {
            if (draftChoice != null) {
                LOG.info("{} (draft of {}): {}", draftChoice.model().name(), m.name(), plans.draft().reason());
                draft = Model.load(draftChoice.model().path(), modelParams(o, plans.draft(), List.of()));
            }
            for (Path file : m.adapters()) {
                adapters.add(LoraAdapter.load(model, file));
            }
            LoraScales lora = new LoraScales(adapters);
            if (!m.projectors().isEmpty()) {
                // The projector runs where the layers go: on the GPU unless num_gpu is 0; warmed up only there,
                // where the first image would otherwise pay for kernel set-up.
                boolean gpu = params.gpuLayers() != 0 && workers.isEmpty() && LlamaCpp.supportsGpuOffload();
                int threads = o.numThread() > 0 ? o.numThread() : config.numThread();
                projector = Projector.load(model, m.projectors().getFirst(), new ProjectorParams(gpu,
                        threads > 0 ? threads : ProjectorParams.defaults().threads(), gpu));
            }
            SessionParams.Builder session = SessionParams.builder().contextSize(o.numCtx()).batchSize(o.numBatch())
                    .ubatchSize(Math.min(512, o.numBatch())).kvCacheType(config.kvCacheType())
                    .flashAttention(config.flashAttention()).swaFull(config.swaFull());
            int threads = o.numThread() > 0 ? o.numThread() : config.numThread();
            if (threads > 0) {
                session.threads(threads);
            }
            SessionParams sessionParams = session.build();
            boolean cpuOnly = workers.isEmpty() && (params.gpuLayers() == 0 || !LlamaCpp.supportsGpuOffload());
            EngineParams.Builder engineParams = EngineParams.builder().session(sessionParams)
                    .parallel(config.numParallel()).maxQueue(config.maxQueue())
                    .promptCacheBytes(config.promptCacheBytes())
                    .firstTokenPause(firstTokenPause(sessionParams.threads(),
                            Runtime.getRuntime().availableProcessors(), cpuOnly));
            String key = diskCacheKey(m);
            if (key != null && config.diskCacheBytes() > 0) {
                // Requests run under the Modelfile's adapters at scale 1 until told otherwise: those sequences
                // go to disk (the key names the adapters' blobs); other scales stay in RAM.
                engineParams.diskCache(config.diskCacheDir(), config.diskCacheBytes(), key, lora.forRequest(null));
            }
            Engine engine = startEngine(model, engineParams, draft, draftChoice, o.draft());
            Thread.ofVirtual().name("puna-template-" + m.name()).start(() -> prepareTemplate(model, m));
            Model draftModel = draft;
            if (metrics != null) {
                metrics.modelLoaded(ModelNames.canonical(m.name()), (System.nanoTime() - start) / 1e9);
            }
            return new Loaded(model, engine, sessionParams, o.numCtx(), lora, draftModel, adapters, projector);
        } catch (RuntimeException | Error e) {
            if (projector != null) {
                projector.close();
            }
            if (draft != null) {
                draft.close();
            }
            adapters.forEach(LoraAdapter::close);
            model.close();
            throw e;
        }
    }

    /** How long the engine's decode thread leaves the cores to the event loop after a first token. */
    public static final Duration FIRST_TOKEN_PAUSE = Duration.ofNanos(250_000);

    /**
     * The engine's {@link EngineParams#firstTokenPause()}: {@link #FIRST_TOKEN_PAUSE} when it computes on the CPU
     * with a thread for every core, else none. Its decode thread then goes straight from the step that gave a
     * request its first token to the next, its OpenMP team with it, and the event loop that is to send that token
     * waits for the scheduler to give it a core: 1 to 5 ms of the request's time to first token, measured on two
     * cores, against 0.3 ms with the pause. With a core to spare, or the layers on a GPU, the event loop has one.
     */
    static Duration firstTokenPause(int threads, int cores, boolean cpuOnly) {
        return cpuOnly && threads >= cores ? FIRST_TOKEN_PAUSE : Duration.ZERO;
    }

    /**
     * Renders a one-message conversation with the model's template and throws it away, so that the first chat
     * request does not pay for parsing it (the Jinja template is parsed once per model, a Modelfile's Go template
     * once per text) nor for loading the template engine's classes. Off the loader's thread: the load does not wait
     * for it. A template that fails here fails the same way on a request, which reports it.
     */
    private static void prepareTemplate(Model model, CatalogModel entry) {
        try {
            PromptTemplates.chat(model, entry, List.of(ChatMessage.user("Hello")), List.of(),
                    OllamaTemplate.Think.UNSET);
        } catch (RuntimeException e) {
            LOG.debug("rendering the chat template of {} ahead of its first request failed", entry.name(), e);
        }
    }

    /**
     * What the prompt cache on disk knows the model by: the store digests of its weights and adapters, or null to
     * keep its cache in RAM. A store blob is named by the SHA-256 of its bytes, so the name changes whenever the
     * weights do, and costs nothing to read; a file outside a store has no such name (hashing gigabytes at every
     * load is not worth a restart's cache), and a model with a vision projector stays in RAM because its images'
     * cells do not go to disk anyway.
     */
    static String diskCacheKey(CatalogModel m) {
        if (!m.projectors().isEmpty()) {
            return null;
        }
        StringBuilder key = new StringBuilder();
        List<Path> files = new ArrayList<>();
        files.add(m.path());
        files.addAll(m.adapters());
        for (Path file : files) {
            String name = file.getFileName().toString();
            if (!BLOB_NAME.matcher(name).matches()) {
                return null;
            }
            key.append(key.isEmpty() ? "" : "+").append(name);
        }
        return key.toString();
    }

    /** The engine, with the draft when there is one; a lenient default draft that does not fit is dropped. */
    private static Engine startEngine(Model model, EngineParams.Builder params, Model draft, DraftChoice choice,
                                      LoadOptions.Draft settings) {
        if (draft == null) {
            return Engine.start(model, params.build());
        }
        DraftParams dp;
        try {
            dp = new DraftParams(settings.max(), settings.min(), settings.pMin());
        } catch (InvalidParameterException e) {
            throw ApiException.badParameter(e.parameter(), "invalid option " + e.getMessage());
        }
        try {
            return Engine.start(model, params.draft(draft, dp).build());
        } catch (InvalidParameterException e) {
            if (choice.strict() || !e.parameter().equals("draft_model")) {
                throw ApiException.badParameter("draft_model", e.getMessage());
            }
            LOG.warn("not speculating for {}: {}", model.info().name(), e.getMessage());
            return Engine.start(model, params.draft(null, DraftParams.DEFAULTS).build());
        }
    }

    /**
     * A loaded model: its engine and, opened on the first rerank request, a {@link Reranker} with a context of its
     * own (a reranker is scored with rank pooling, which the engine's generation slots do not do).
     */
    private static final class Loaded implements ModelScheduler.Served {
        private final Model model;
        private final Engine engine;
        private final SessionParams session;
        private final int contextLength;
        private final LoraScales lora;
        /** The draft model for speculative decoding, or null; closed after the engine. */
        private final Model draftModel;
        private final List<LoraAdapter> adapters;
        private final Projector projector;
        /** Guarded by this. */
        private Reranker reranker;
        /** Guarded by this. */
        private boolean closed;

        Loaded(Model model, Engine engine, SessionParams session, int contextLength, LoraScales lora,
               Model draftModel, List<LoraAdapter> adapters, Projector projector) {
            this.model = model;
            this.engine = engine;
            this.session = session;
            this.contextLength = contextLength;
            this.lora = lora;
            this.draftModel = draftModel;
            this.adapters = List.copyOf(adapters);
            this.projector = projector;
        }

        @Override
        public Projector projector() {
            return projector;
        }

        @Override
        public LoraScales lora() {
            return lora;
        }

        @Override
        public Engine engine() {
            return engine;
        }

        @Override
        public int contextLength() {
            return contextLength;
        }

        @Override
        public synchronized Reranker reranker() {
            if (closed) {
                throw new ResourceClosedException("the model was unloaded");
            }
            if (reranker == null) {
                reranker = Reranker.open(model, session);
            }
            return reranker;
        }

        @Override
        public void close() {
            Reranker r;
            synchronized (this) {
                closed = true;
                r = reranker;
            }
            try {
                if (r != null) {
                    r.close();
                }
                engine.close();
            } finally {
                if (projector != null) {
                    projector.close();
                }
                if (draftModel != null) {
                    draftModel.close();
                }
                adapters.forEach(LoraAdapter::close);
                model.close();
            }
        }
    }

    /**
     * Host memory: weights (the mapped files) plus the KV cache of every slot as the plan counts it (window-sized
     * for sliding-window layers unless {@code PUNA_SWA_FULL}), less what the plan puts on GPUs.
     */
    @Override
    public long estimate(CatalogModel m, LoadOptions o) throws IOException {
        return estimateWithVram(m, o).hostBytes();
    }

    /**
     * The host part as {@link #estimate} and the plan's GPU part ({@code size_vram}). Weights and KV cache the plan
     * offloads leave host memory (their compute buffers are GPU-only); a draft model is counted in host memory.
     */
    @Override
    public ModelScheduler.Estimate estimateWithVram(CatalogModel m, LoadOptions o) throws IOException {
        long files = fileBytes(m, o);
        Plans plans;
        try {
            plans = plans(m, o, draftFor(m, o));
        } catch (dev.puna.runtime.InvalidParameterException e) {
            throw ApiException.badParameter(e.parameter(), e.getMessage());
        }
        // The KV cache of the layers left in host memory; an offloaded layer's weights leave the mapped file's share.
        long host = files + plans.main().cpu().kvBytes();
        long offloaded = 0;
        for (OffloadPlan.DeviceUse g : plans.main().gpus()) {
            offloaded += g.weightBytes();
        }
        long vram = plans.main().gpuBytes();
        if (plans.draft() != null) {
            // the host estimate counts the draft's file, not its KV cache: only its offloaded weights leave
            for (OffloadPlan.DeviceUse g : plans.draft().gpus()) {
                offloaded += g.weightBytes();
            }
            vram += plans.draft().gpuBytes();
        }
        return new ModelScheduler.Estimate(Math.max(0, host - offloaded), vram);
    }

    /** The model's file and its draft model's, read (and validated) as GGUF. */
    private long fileBytes(CatalogModel m, LoadOptions o) throws IOException {
        GgufFacts facts;
        try {
            facts = GgufFacts.read(m.path());
        } catch (dev.puna.gguf.GgufFormatException e) {
            // Found in the store (a file put there by hand, or by another tool): validated before llama.cpp sees it.
            throw ApiException.badRequest("model '" + m.name() + "' is not a valid GGUF file: " + e.problem());
        }
        DraftChoice draft = draftFor(m, o);
        long draftBytes = draft == null ? 0 : GgufFacts.read(draft.model().path()).fileSize();
        return draftBytes + facts.fileSize();
    }
}
