package dev.puna.http.internal;

import dev.puna.http.CatalogModel;
import dev.puna.http.ServerConfig;
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
import dev.puna.runtime.vision.Projector;
import dev.puna.runtime.vision.ProjectorParams;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * How the server loads a model for serving: the GGUF file with the request's load options, its LoRA adapters
 * (Modelfile {@code ADAPTER}, at scale 1 until {@code POST /lora-adapters} or a request says otherwise), and one
 * {@link Engine} with {@code PUNA_NUM_PARALLEL} slots of {@code num_ctx} tokens each. Also estimates what that
 * takes in memory: the mapped weights plus the KV cache of every slot.
 */
public final class EngineLoader implements ModelScheduler.Loader, ModelScheduler.Estimator {
    private static final Logger LOG = LogManager.getLogger(EngineLoader.class);
    /** A model store's blob: {@code sha256-<hex>} of its content. */
    private static final Pattern BLOB_NAME = Pattern.compile("sha256-[0-9a-f]{64}");

    private final ServerConfig config;
    private final Metrics metrics;
    private final ModelCatalog catalog;

    public EngineLoader(ServerConfig config) {
        this(config, null, null);
    }

    /**
     * @param metrics where load times go; may be null
     * @param catalog where draft models are looked up; null: no speculative decoding
     */
    public EngineLoader(ServerConfig config, Metrics metrics, ModelCatalog catalog) {
        this.config = config;
        this.metrics = metrics;
        this.catalog = catalog;
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

    /** Loads the model and starts its engine; runs on a loader thread. */
    @Override
    public ModelScheduler.Served load(CatalogModel m, LoadOptions o) throws IOException {
        long start = System.nanoTime();
        DraftChoice draftChoice = draftFor(m, o);
        Model model = Model.load(m.path(), ModelParams.builder().gpuLayers(o.numGpu()).mainGpu(o.mainGpu())
                .useMmap(o.useMmap())
                .useMlock(o.useMlock()).build());
        List<LoraAdapter> adapters = new ArrayList<>();
        Model draft = null;
        Projector projector = null;
        try {
            if (draftChoice != null) {
                draft = Model.load(draftChoice.model().path(), ModelParams.builder().gpuLayers(o.numGpu())
                        .mainGpu(o.mainGpu()).useMmap(o.useMmap()).useMlock(o.useMlock()).build());
            }
            for (Path file : m.adapters()) {
                adapters.add(LoraAdapter.load(model, file));
            }
            LoraScales lora = new LoraScales(adapters);
            if (!m.projectors().isEmpty()) {
                // The projector runs where the layers go: on the GPU unless num_gpu is 0; warmed up only there,
                // where the first image would otherwise pay for kernel set-up.
                boolean gpu = o.numGpu() != 0 && LlamaCpp.supportsGpuOffload();
                int threads = o.numThread() > 0 ? o.numThread() : config.numThread();
                projector = Projector.load(model, m.projectors().getFirst(), new ProjectorParams(gpu,
                        threads > 0 ? threads : ProjectorParams.defaults().threads(), gpu));
            }
            SessionParams.Builder session = SessionParams.builder().contextSize(o.numCtx()).batchSize(o.numBatch())
                    .ubatchSize(Math.min(512, o.numBatch())).kvCacheType(config.kvCacheType())
                    .flashAttention(config.flashAttention());
            int threads = o.numThread() > 0 ? o.numThread() : config.numThread();
            if (threads > 0) {
                session.threads(threads);
            }
            EngineParams.Builder engineParams = EngineParams.builder().session(session.build())
                    .parallel(config.numParallel()).maxQueue(config.maxQueue())
                    .promptCacheBytes(config.promptCacheBytes());
            String key = diskCacheKey(m);
            if (key != null && config.diskCacheBytes() > 0) {
                engineParams.diskCache(config.diskCacheDir(), config.diskCacheBytes(), key);
            }
            Engine engine = startEngine(model, engineParams, draft, draftChoice, o.draft());
            Model draftModel = draft;
            if (metrics != null) {
                metrics.modelLoaded(ModelNames.canonical(m.name()), (System.nanoTime() - start) / 1e9);
            }
            return new Loaded(model, engine, session.build(), o.numCtx(), lora, draftModel, adapters, projector);
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

    /** Weights (the mapped file) plus the KV cache of every slot. */
    @Override
    public long estimate(CatalogModel m, LoadOptions o) throws IOException {
        GgufFacts facts;
        try {
            facts = GgufFacts.read(m.path());
        } catch (dev.puna.gguf.GgufFormatException e) {
            // Found in the store (a file put there by hand, or by another tool): validated before llama.cpp sees it.
            throw ApiException.badRequest("model '" + m.name() + "' is not a valid GGUF file: " + e.problem());
        }
        DraftChoice draft = draftFor(m, o);
        long draftBytes = draft == null ? 0 : GgufFacts.read(draft.model().path()).fileSize();
        return draftBytes + facts.fileSize() + facts.kvBytesPerToken(config.kvCacheType()) * o.numCtx() * config.numParallel();
    }
}
