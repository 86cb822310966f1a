package dev.puna.http.internal;

import dev.puna.http.CatalogModel;
import dev.puna.http.ServerConfig;
import dev.puna.runtime.Engine;
import dev.puna.runtime.EngineParams;
import dev.puna.runtime.Model;
import dev.puna.runtime.ModelParams;
import dev.puna.runtime.Reranker;
import dev.puna.runtime.ResourceClosedException;
import dev.puna.runtime.SessionParams;
import java.io.IOException;

/**
 * How the server loads a model for serving: the GGUF file with the request's load options, and one
 * {@link Engine} with {@code PUNA_NUM_PARALLEL} slots of {@code num_ctx} tokens each. Also estimates what that
 * takes in memory: the mapped weights plus the KV cache of every slot.
 */
public final class EngineLoader implements ModelScheduler.Loader, ModelScheduler.Estimator {
    private final ServerConfig config;
    private final Metrics metrics;

    public EngineLoader(ServerConfig config) {
        this(config, null);
    }

    /** @param metrics where load times go; may be null */
    public EngineLoader(ServerConfig config, Metrics metrics) {
        this.config = config;
        this.metrics = metrics;
    }

    /** Loads the model and starts its engine; runs on a loader thread. */
    @Override
    public ModelScheduler.Served load(CatalogModel m, LoadOptions o) {
        long start = System.nanoTime();
        Model model = Model.load(m.path(), ModelParams.builder().gpuLayers(o.numGpu()).mainGpu(o.mainGpu())
                .useMmap(o.useMmap())
                .useMlock(o.useMlock()).build());
        try {
            SessionParams.Builder session = SessionParams.builder().contextSize(o.numCtx()).batchSize(o.numBatch())
                    .ubatchSize(Math.min(512, o.numBatch())).kvCacheType(config.kvCacheType())
                    .flashAttention(config.flashAttention());
            int threads = o.numThread() > 0 ? o.numThread() : config.numThread();
            if (threads > 0) {
                session.threads(threads);
            }
            Engine engine = Engine.start(model, EngineParams.builder().session(session.build())
                    .parallel(config.numParallel()).maxQueue(config.maxQueue())
                    .promptCacheBytes(config.promptCacheBytes()).build());
            if (metrics != null) {
                metrics.modelLoaded(ModelNames.canonical(m.name()), (System.nanoTime() - start) / 1e9);
            }
            return new Loaded(model, engine, session.build(), o.numCtx());
        } catch (RuntimeException | Error e) {
            model.close();
            throw e;
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
        /** Guarded by this. */
        private Reranker reranker;
        /** Guarded by this. */
        private boolean closed;

        Loaded(Model model, Engine engine, SessionParams session, int contextLength) {
            this.model = model;
            this.engine = engine;
            this.session = session;
            this.contextLength = contextLength;
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
        return facts.fileSize() + facts.kvBytesPerToken(config.kvCacheType()) * o.numCtx() * config.numParallel();
    }
}
