package dev.puna.runtime.internal;

import static dev.puna.bindings.LlamaLayouts.LLAMA_LOGIT_BIAS;
import static dev.puna.bindings.LlamaLayouts.LLAMA_SAMPLER_CHAIN_PARAMS;

import dev.puna.bindings.Llama;
import dev.puna.bindings.LlamaLayouts;
import dev.puna.runtime.InvalidParameterException;
import dev.puna.runtime.SamplingParams;
import dev.puna.runtime.SamplingParams.Stage;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A native llama_sampler chain built from {@link SamplingParams#chain()}, plus the GBNF grammar sampler at its
 * front when a grammar is given (so every candidate the later stages see is grammatical). Owned by one
 * generation, used by one thread, freed once by {@link #close()}; the chain frees the samplers added to it.
 */
public final class SamplerChain implements AutoCloseable {
    private static final VarHandle BIAS_TOKEN = LlamaLayouts.field(LLAMA_LOGIT_BIAS, "token");
    private static final VarHandle BIAS_VALUE = LlamaLayouts.field(LLAMA_LOGIT_BIAS, "bias");
    private static final VarHandle NO_PERF = LlamaLayouts.field(LLAMA_SAMPLER_CHAIN_PARAMS, "no_perf");
    /** LLAMA_DEFAULT_SEED: llama.cpp picks a random seed. */
    private static final int RANDOM_SEED = 0xFFFFFFFF;

    private MemorySegment chain;
    private MemorySegment penalties = MemorySegment.NULL;

    private SamplerChain(MemorySegment chain) {
        this.chain = chain;
        NativeStats.SAMPLERS.incrementAndGet();
    }

    /**
     * Builds the chain for {@code params}.
     *
     * @param vocab the model's llama_vocab
     * @param nVocab its size
     * @param contextSize replaces {@code repeat_last_n = -1} (whole context)
     * @throws InvalidParameterException when the grammar does not parse (llama.cpp's reason included)
     */
    public static SamplerChain create(SamplingParams params, MemorySegment vocab, int nVocab, int contextSize) {
        for (Integer token : params.logitBias().keySet()) {
            InvalidParameterException.require(token < nVocab, "logit_bias",
                    "token id " + token + " is outside the vocabulary (size " + nVocab + ")");
        }
        MemorySegment chainPtr;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cp = Llama.llama_sampler_chain_default_params(arena);
            NO_PERF.set(cp, true);
            chainPtr = Llama.llama_sampler_chain_init(cp);
        }
        SamplerChain s = new SamplerChain(chainPtr);
        try {
            if (params.grammar().isPresent()) {
                s.add(grammar(vocab, params.grammar().get()));
            }
            for (Stage stage : params.chain()) {
                MemorySegment smpl = switch (stage) {
                    case Stage.LogitBias b -> logitBias(nVocab, b.biases());
                    case Stage.Penalties p -> Llama.llama_sampler_init_penalties(nVocab,
                            p.lastN() < 0 ? contextSize : p.lastN(), p.repeat(), p.frequency(), p.presence());
                    case Stage.TopK k -> Llama.llama_sampler_init_top_k(k.k());
                    case Stage.TypicalP t -> Llama.llama_sampler_init_typical(t.p(), 1);
                    case Stage.TopP t -> Llama.llama_sampler_init_top_p(t.p(), 1);
                    case Stage.MinP m -> Llama.llama_sampler_init_min_p(m.p(), 1);
                    case Stage.Temperature t -> Llama.llama_sampler_init_temp(t.temperature());
                    case Stage.Greedy g -> Llama.llama_sampler_init_greedy();
                    case Stage.Mirostat m -> m.version() == 1
                            ? Llama.llama_sampler_init_mirostat(nVocab, seed(m.seed()), m.tau(), m.eta(), 100)
                            : Llama.llama_sampler_init_mirostat_v2(seed(m.seed()), m.tau(), m.eta());
                    case Stage.Distribution d -> Llama.llama_sampler_init_dist(seed(d.seed()));
                };
                s.add(smpl);
                if (stage instanceof Stage.Penalties) {
                    s.penalties = smpl;
                }
            }
        } catch (RuntimeException | Error e) {
            s.close();
            throw e;
        }
        return s;
    }

    private static MemorySegment grammar(MemorySegment vocab, String gbnf) {
        try (Arena arena = Arena.ofConfined()) {
            Backend.clearLastError();
            MemorySegment g = Llama.llama_sampler_init_grammar(vocab, arena.allocateFrom(gbnf), arena.allocateFrom("root"));
            if (g.equals(MemorySegment.NULL)) {
                String why = Backend.lastError();
                throw new InvalidParameterException("grammar", "invalid GBNF grammar" + (why.isEmpty() ? "" : ": " + why));
            }
            return g;
        }
    }

    private static MemorySegment logitBias(int nVocab, Map<Integer, Float> biases) {
        // llama_sampler_init_logit_bias copies the array, so a confined arena is enough.
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment arr = arena.allocate(LLAMA_LOGIT_BIAS, biases.size());
            int i = 0;
            for (Map.Entry<Integer, Float> e : biases.entrySet()) {
                MemorySegment el = arr.asSlice(i * LLAMA_LOGIT_BIAS.byteSize(), LLAMA_LOGIT_BIAS);
                BIAS_TOKEN.set(el, (int) e.getKey());
                BIAS_VALUE.set(el, (float) e.getValue());
                i++;
            }
            return Llama.llama_sampler_init_logit_bias(nVocab, biases.size(), arr);
        }
    }

    private static int seed(OptionalLong seed) {
        return seed.isPresent() ? (int) seed.getAsLong() : RANDOM_SEED;
    }

    private void add(MemorySegment sampler) {
        if (sampler.equals(MemorySegment.NULL)) {
            throw new IllegalStateException("llama.cpp could not create a sampler");
        }
        Llama.llama_sampler_chain_add(chain, sampler);
    }

    /** Feeds prompt tokens to the penalty sampler only (the grammar must not see the prompt). */
    public void acceptPrompt(int[] tokens) {
        if (!penalties.equals(MemorySegment.NULL)) {
            for (int t : tokens) {
                Llama.llama_sampler_accept(penalties, t);
            }
        }
    }

    /**
     * Samples from output {@code index} of the last decode (the token's position in the batch, -1 for the last
     * output) and advances every stage's state with the chosen token.
     */
    public int sample(MemorySegment ctx, int index) {
        return Llama.llama_sampler_sample(chain, ctx, index);
    }

    @Override
    public void close() {
        if (chain != null) {
            Llama.llama_sampler_free(chain);
            chain = null;
            NativeStats.SAMPLERS.decrementAndGet();
        }
    }
}
