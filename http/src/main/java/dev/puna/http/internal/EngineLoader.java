package dev.puna.http.internal;

import dev.puna.http.CatalogModel;
import dev.puna.http.ServerConfig;
import dev.puna.http.internal.lora.LoraScales;
import dev.puna.runtime.Engine;
import dev.puna.runtime.EngineParams;
import dev.puna.runtime.LoraAdapter;
import dev.puna.runtime.Model;
import dev.puna.runtime.ModelParams;
import dev.puna.runtime.SessionParams;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How the server loads a model for serving: the GGUF file with the request's load options, its LoRA adapters
 * (Modelfile {@code ADAPTER}, at scale 1 until {@code POST /lora-adapters} or a request says otherwise), and one
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
        List<LoraAdapter> adapters = new ArrayList<>();
        try {
            for (Path file : m.adapters()) {
                adapters.add(LoraAdapter.load(model, file));
            }
            LoraScales lora = new LoraScales(adapters);
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
            return new ModelScheduler.Served() {
                @Override
                public Engine engine() {
                    return engine;
                }

                @Override
                public int contextLength() {
                    return o.numCtx();
                }

                @Override
                public LoraScales lora() {
                    return lora;
                }

                @Override
                public void close() {
                    try {
                        engine.close();
                    } finally {
                        adapters.forEach(LoraAdapter::close);
                        model.close();
                    }
                }
            };
        } catch (RuntimeException | Error e) {
            adapters.forEach(LoraAdapter::close);
            model.close();
            throw e;
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
