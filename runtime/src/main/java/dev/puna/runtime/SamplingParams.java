package dev.puna.runtime;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The per-request sampling settings: the sampling part of Ollama's {@code options} object, with Ollama's names,
 * meanings and defaults, so a request that sets nothing samples the way Ollama would.
 *
 * <table>
 *   <caption>Parameters and their defaults (Ollama {@code api.DefaultOptions()})</caption>
 *   <tr><th>Ollama option</th><th>Default</th><th>Legal values</th><th>Meaning</th></tr>
 *   <tr><td>{@code temperature}</td><td>0.8</td><td>finite, &ge; 0</td>
 *       <td>0 samples greedily (always the most likely token)</td></tr>
 *   <tr><td>{@code top_k}</td><td>40</td><td>&ge; 0</td><td>keep the k most likely tokens; 0 disables</td></tr>
 *   <tr><td>{@code top_p}</td><td>0.9</td><td>[0, 1]</td><td>nucleus sampling; 1 disables</td></tr>
 *   <tr><td>{@code min_p}</td><td>0.0</td><td>[0, 1]</td>
 *       <td>drop tokens below min_p times the top token's probability; 0 disables</td></tr>
 *   <tr><td>{@code typical_p}</td><td>1.0</td><td>[0, 1]</td><td>locally typical sampling; 1 disables</td></tr>
 *   <tr><td>{@code repeat_last_n}</td><td>64</td><td>&ge; -1</td>
 *       <td>how many recent tokens the penalties look at; 0 disables, -1 means the whole context</td></tr>
 *   <tr><td>{@code repeat_penalty}</td><td>1.0</td><td>finite, &gt; 0</td><td>1 disables</td></tr>
 *   <tr><td>{@code presence_penalty}</td><td>0.0</td><td>finite</td><td>0 disables</td></tr>
 *   <tr><td>{@code frequency_penalty}</td><td>0.0</td><td>finite</td><td>0 disables</td></tr>
 *   <tr><td>{@code mirostat}</td><td>0</td><td>0, 1, 2</td><td>0 off, 1 Mirostat, 2 Mirostat 2.0</td></tr>
 *   <tr><td>{@code mirostat_tau}</td><td>5.0</td><td>finite, &gt; 0 (checked when mirostat is on)</td>
 *       <td>target entropy</td></tr>
 *   <tr><td>{@code mirostat_eta}</td><td>0.1</td><td>finite, &gt; 0 (checked when mirostat is on)</td>
 *       <td>learning rate</td></tr>
 *   <tr><td>{@code seed}</td><td>absent (Ollama: -1)</td><td>any</td><td>absent or -1 means a random seed</td></tr>
 *   <tr><td>{@code logit_bias}</td><td>empty</td><td>ids &ge; 0; bias finite or -&infin;</td>
 *       <td>token id &rarr; value added to its logit; -&infin; bans the token (llama-server / OpenAI)</td></tr>
 *   <tr><td>{@code grammar}</td><td>absent</td><td>GBNF text</td>
 *       <td>constrains output; applied by the grammar sampler, outside {@link #chain()}</td></tr>
 * </table>
 *
 * <p>Floating-point values are stored as {@code float}, the precision of both Ollama ({@code float32}) and
 * llama.cpp; the builder takes {@code double} for convenience and rejects values that do not fit a finite float.
 *
 * <p>Instances are immutable and thread-safe. Validation happens once in {@link Builder#build()}, so every
 * instance is legal and the native layer can pass its values on without re-checking them (token ids above the
 * vocabulary size are the exception: only the loaded model knows its vocabulary; llama.cpp's logit-bias sampler
 * ignores such ids).
 */
public final class SamplingParams {

    private static final SamplingParams DEFAULTS = new Builder().build();

    private final float temperature;
    private final int topK;
    private final float topP;
    private final float minP;
    private final float typicalP;
    private final int repeatLastN;
    private final float repeatPenalty;
    private final float presencePenalty;
    private final float frequencyPenalty;
    private final int mirostat;
    private final float mirostatTau;
    private final float mirostatEta;
    private final OptionalLong seed;
    private final Map<Integer, Float> logitBias;
    private final String grammar;

    private SamplingParams(Builder b, Map<Integer, Float> logitBias) {
        this.temperature = (float) b.temperature;
        this.topK = b.topK;
        this.topP = (float) b.topP;
        this.minP = (float) b.minP;
        this.typicalP = (float) b.typicalP;
        this.repeatLastN = b.repeatLastN;
        this.repeatPenalty = (float) b.repeatPenalty;
        this.presencePenalty = (float) b.presencePenalty;
        this.frequencyPenalty = (float) b.frequencyPenalty;
        this.mirostat = b.mirostat;
        this.mirostatTau = (float) b.mirostatTau;
        this.mirostatEta = (float) b.mirostatEta;
        this.seed = b.seed;
        this.logitBias = logitBias;
        this.grammar = b.grammar;
    }

    /** Ollama's defaults (see the table in the class documentation). */
    public static SamplingParams defaults() {
        return DEFAULTS;
    }

    /**
     * Ollama's defaults with {@code temperature} 0: always picks the most likely token after logit bias and
     * penalties, which makes output reproducible without a seed.
     */
    public static SamplingParams greedy() {
        return builder().greedy().build();
    }

    /** A builder that starts from Ollama's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from this instance's values, for deriving a variant. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.temperature = temperature;
        b.topK = topK;
        b.topP = topP;
        b.minP = minP;
        b.typicalP = typicalP;
        b.repeatLastN = repeatLastN;
        b.repeatPenalty = repeatPenalty;
        b.presencePenalty = presencePenalty;
        b.frequencyPenalty = frequencyPenalty;
        b.mirostat = mirostat;
        b.mirostatTau = mirostatTau;
        b.mirostatEta = mirostatEta;
        b.seed = seed;
        b.logitBias = new HashMap<>(logitBias);
        b.grammar = grammar;
        return b;
    }

    /** {@code temperature}; 0 means greedy sampling. */
    public float temperature() {
        return temperature;
    }

    /** Whether sampling is greedy ({@code temperature} 0), which makes every other sampler stage irrelevant. */
    public boolean isGreedy() {
        return temperature == 0f;
    }

    /** {@code top_k}; 0 means disabled. */
    public int topK() {
        return topK;
    }

    /** {@code top_p}; 1 means disabled. */
    public float topP() {
        return topP;
    }

    /** {@code min_p}; 0 means disabled. */
    public float minP() {
        return minP;
    }

    /** {@code typical_p}; 1 means disabled. */
    public float typicalP() {
        return typicalP;
    }

    /** {@code repeat_last_n}; 0 disables the penalties, -1 means the whole context. */
    public int repeatLastN() {
        return repeatLastN;
    }

    /** {@code repeat_penalty}; 1 means disabled. */
    public float repeatPenalty() {
        return repeatPenalty;
    }

    /** {@code presence_penalty}; 0 means disabled. */
    public float presencePenalty() {
        return presencePenalty;
    }

    /** {@code frequency_penalty}; 0 means disabled. */
    public float frequencyPenalty() {
        return frequencyPenalty;
    }

    /** {@code mirostat}: 0 off, 1 Mirostat, 2 Mirostat 2.0. */
    public int mirostat() {
        return mirostat;
    }

    /** {@code mirostat_tau}, the target entropy; only used when {@link #mirostat()} is not 0. */
    public float mirostatTau() {
        return mirostatTau;
    }

    /** {@code mirostat_eta}, the learning rate; only used when {@link #mirostat()} is not 0. */
    public float mirostatEta() {
        return mirostatEta;
    }

    /** {@code seed}; empty means a fresh random seed for each generation. */
    public OptionalLong seed() {
        return seed;
    }

    /** {@code logit_bias}: token id to the value added to its logit, sorted by id; unmodifiable, maybe empty. */
    public Map<Integer, Float> logitBias() {
        return logitBias;
    }

    /** {@code grammar}: a GBNF grammar that constrains the output, if any. */
    public Optional<String> grammar() {
        return Optional.ofNullable(grammar);
    }

    /**
     * The sampler stages to build, in order, mirroring llama.cpp's {@code common_sampler_init} with its default
     * sampler order. Stages that would not change the distribution (top_k 0, top_p 1, min_p 0, typical_p 1,
     * temperature 1, neutral penalties, no logit bias) are left out, because llama.cpp would run them as no-ops.
     * The grammar is not part of the chain: llama.cpp applies it as a separate sampler (see {@link #grammar()}).
     *
     * <ol>
     *   <li>{@link Stage.LogitBias}, then {@link Stage.Penalties};</li>
     *   <li>temperature 0: {@link Stage.Greedy} and nothing else;</li>
     *   <li>mirostat 1 or 2: {@link Stage.Temperature}, then {@link Stage.Mirostat}, which picks the token;</li>
     *   <li>otherwise {@link Stage.TopK}, {@link Stage.TypicalP}, {@link Stage.TopP}, {@link Stage.MinP},
     *       {@link Stage.Temperature}, then {@link Stage.Distribution}, which picks the token.</li>
     * </ol>
     *
     * <p>Two deliberate differences from {@code common_sampler_init}: penalties also apply under mirostat (llama.cpp
     * only adds them to the mirostat-off chain, which silently ignores a user's {@code repeat_penalty}), and
     * temperature 0 is an explicit greedy stage rather than llama.cpp's equivalent "temperature &le; 0 keeps only
     * the top logit" followed by a random draw among one candidate.
     *
     * @return an unmodifiable list whose last element always picks the token
     *     ({@code Greedy}, {@code Mirostat} or {@code Distribution})
     */
    public List<Stage> chain() {
        List<Stage> stages = new ArrayList<>(8);
        if (!logitBias.isEmpty()) {
            stages.add(new Stage.LogitBias(logitBias));
        }
        boolean penaltiesNeutral = repeatPenalty == 1f && presencePenalty == 0f && frequencyPenalty == 0f;
        if (repeatLastN != 0 && !penaltiesNeutral) {
            stages.add(new Stage.Penalties(repeatLastN, repeatPenalty, frequencyPenalty, presencePenalty));
        }
        if (isGreedy()) {
            stages.add(new Stage.Greedy());
        } else if (mirostat != 0) {
            if (temperature != 1f) {
                stages.add(new Stage.Temperature(temperature));
            }
            stages.add(new Stage.Mirostat(mirostat, mirostatTau, mirostatEta, seed));
        } else {
            if (topK > 0) {
                stages.add(new Stage.TopK(topK));
            }
            if (typicalP < 1f) {
                stages.add(new Stage.TypicalP(typicalP));
            }
            if (topP < 1f) {
                stages.add(new Stage.TopP(topP));
            }
            if (minP > 0f) {
                stages.add(new Stage.MinP(minP));
            }
            if (temperature != 1f) {
                stages.add(new Stage.Temperature(temperature));
            }
            stages.add(new Stage.Distribution(seed));
        }
        return Collections.unmodifiableList(stages);
    }

    /**
     * One sampler in the chain described by {@link #chain()}; each record maps onto one llama.cpp
     * {@code llama_sampler_init_*} call. Values are already validated.
     */
    public sealed interface Stage {

        /**
         * Adds a bias to the logits of the given tokens ({@code llama_sampler_init_logit_bias}).
         *
         * @param biases token id to bias, unmodifiable and non-empty; a bias may be negative infinity
         */
        record LogitBias(Map<Integer, Float> biases) implements Stage {}

        /**
         * Repetition, frequency and presence penalties over the last tokens ({@code llama_sampler_init_penalties}).
         *
         * @param lastN how many recent tokens to look at, or -1 for the whole context. The native layer must
         *     replace -1 with the context size: {@code llama_sampler_init_penalties} clamps negative values to 0,
         *     which would disable the penalties instead.
         * @param repeat {@code repeat_penalty}
         * @param frequency {@code frequency_penalty}
         * @param presence {@code presence_penalty}
         */
        record Penalties(int lastN, float repeat, float frequency, float presence) implements Stage {}

        /** Keeps the {@code k} most likely tokens ({@code llama_sampler_init_top_k}); {@code k} is positive. */
        record TopK(int k) implements Stage {}

        /** Locally typical sampling ({@code llama_sampler_init_typical}); {@code p} is in [0, 1). */
        record TypicalP(float p) implements Stage {}

        /** Nucleus sampling ({@code llama_sampler_init_top_p}); {@code p} is in [0, 1). */
        record TopP(float p) implements Stage {}

        /** Minimum relative probability ({@code llama_sampler_init_min_p}); {@code p} is in (0, 1]. */
        record MinP(float p) implements Stage {}

        /** Divides the logits by {@code temperature} ({@code llama_sampler_init_temp}); positive, not 1. */
        record Temperature(float temperature) implements Stage {}

        /** Picks the most likely token ({@code llama_sampler_init_greedy}); the last stage of a greedy chain. */
        record Greedy() implements Stage {}

        /**
         * Mirostat picks the token ({@code llama_sampler_init_mirostat} for version 1, with llama.cpp's usual
         * {@code m = 100}, or {@code llama_sampler_init_mirostat_v2} for version 2).
         *
         * @param version 1 or 2
         * @param tau {@code mirostat_tau}, positive
         * @param eta {@code mirostat_eta}, positive
         * @param seed the seed; empty means random (see {@link Distribution} for the 32-bit mapping)
         */
        record Mirostat(int version, float tau, float eta, OptionalLong seed) implements Stage {}

        /**
         * Draws a token from the remaining distribution ({@code llama_sampler_init_dist}).
         *
         * @param seed the seed; empty means random. llama.cpp seeds are {@code uint32_t}, so the native layer
         *     passes the low 32 bits, as Ollama does; an empty seed becomes {@code LLAMA_DEFAULT_SEED}
         *     ({@code 0xFFFFFFFF}), which llama.cpp replaces with a random seed.
         */
        record Distribution(OptionalLong seed) implements Stage {}
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SamplingParams p
                && Float.compare(temperature, p.temperature) == 0
                && topK == p.topK
                && Float.compare(topP, p.topP) == 0
                && Float.compare(minP, p.minP) == 0
                && Float.compare(typicalP, p.typicalP) == 0
                && repeatLastN == p.repeatLastN
                && Float.compare(repeatPenalty, p.repeatPenalty) == 0
                && Float.compare(presencePenalty, p.presencePenalty) == 0
                && Float.compare(frequencyPenalty, p.frequencyPenalty) == 0
                && mirostat == p.mirostat
                && Float.compare(mirostatTau, p.mirostatTau) == 0
                && Float.compare(mirostatEta, p.mirostatEta) == 0
                && seed.equals(p.seed)
                && logitBias.equals(p.logitBias)
                && Objects.equals(grammar, p.grammar);
    }

    @Override
    public int hashCode() {
        return Objects.hash(temperature, topK, topP, minP, typicalP, repeatLastN, repeatPenalty, presencePenalty,
                frequencyPenalty, mirostat, mirostatTau, mirostatEta, seed, logitBias, grammar);
    }

    /** Ollama option names and values, for logs; the grammar is shown by length only, as it can be long. */
    @Override
    public String toString() {
        return "SamplingParams[temperature=" + temperature + ", top_k=" + topK + ", top_p=" + topP
                + ", min_p=" + minP + ", typical_p=" + typicalP + ", repeat_last_n=" + repeatLastN
                + ", repeat_penalty=" + repeatPenalty + ", presence_penalty=" + presencePenalty
                + ", frequency_penalty=" + frequencyPenalty + ", mirostat=" + mirostat
                + ", mirostat_tau=" + mirostatTau + ", mirostat_eta=" + mirostatEta
                + ", seed=" + (seed.isPresent() ? Long.toString(seed.getAsLong()) : "random")
                + ", logit_bias=" + logitBias
                + ", grammar=" + (grammar == null ? "none" : grammar.length() + " chars") + "]";
    }

    /**
     * Collects sampling settings; starts from Ollama's defaults. Setters only record values: every check runs in
     * {@link #build()}, which throws {@link InvalidParameterException} naming the first illegal option. Not
     * thread-safe; a builder can build any number of instances.
     */
    public static final class Builder {
        private double temperature = 0.8;
        private int topK = 40;
        private double topP = 0.9;
        private double minP = 0.0;
        private double typicalP = 1.0;
        private int repeatLastN = 64;
        private double repeatPenalty = 1.0;
        private double presencePenalty = 0.0;
        private double frequencyPenalty = 0.0;
        private int mirostat = 0;
        private double mirostatTau = 5.0;
        private double mirostatEta = 0.1;
        private OptionalLong seed = OptionalLong.empty();
        private Map<Integer, Float> logitBias = new HashMap<>();
        private String grammar;

        private Builder() {}

        /** Sets {@code temperature} (finite, &ge; 0; 0 is greedy). */
        public Builder temperature(double temperature) {
            this.temperature = temperature;
            return this;
        }

        /** Sets {@code temperature} to 0: greedy sampling. */
        public Builder greedy() {
            return temperature(0);
        }

        /** Sets {@code top_k} (&ge; 0; 0 disables). */
        public Builder topK(int topK) {
            this.topK = topK;
            return this;
        }

        /** Sets {@code top_p} (in [0, 1]; 1 disables). */
        public Builder topP(double topP) {
            this.topP = topP;
            return this;
        }

        /** Sets {@code min_p} (in [0, 1]; 0 disables). */
        public Builder minP(double minP) {
            this.minP = minP;
            return this;
        }

        /** Sets {@code typical_p} (in [0, 1]; 1 disables). */
        public Builder typicalP(double typicalP) {
            this.typicalP = typicalP;
            return this;
        }

        /** Sets {@code repeat_last_n} (&ge; -1; 0 disables the penalties, -1 means the whole context). */
        public Builder repeatLastN(int repeatLastN) {
            this.repeatLastN = repeatLastN;
            return this;
        }

        /** Sets {@code repeat_penalty} (finite, &gt; 0; 1 disables). */
        public Builder repeatPenalty(double repeatPenalty) {
            this.repeatPenalty = repeatPenalty;
            return this;
        }

        /** Sets {@code presence_penalty} (finite; 0 disables; negative values encourage repetition). */
        public Builder presencePenalty(double presencePenalty) {
            this.presencePenalty = presencePenalty;
            return this;
        }

        /** Sets {@code frequency_penalty} (finite; 0 disables; negative values encourage repetition). */
        public Builder frequencyPenalty(double frequencyPenalty) {
            this.frequencyPenalty = frequencyPenalty;
            return this;
        }

        /** Sets {@code mirostat}: 0 off, 1 Mirostat, 2 Mirostat 2.0. */
        public Builder mirostat(int mirostat) {
            this.mirostat = mirostat;
            return this;
        }

        /** Sets {@code mirostat_tau} (finite, &gt; 0 when mirostat is on). */
        public Builder mirostatTau(double mirostatTau) {
            this.mirostatTau = mirostatTau;
            return this;
        }

        /** Sets {@code mirostat_eta} (finite, &gt; 0 when mirostat is on). */
        public Builder mirostatEta(double mirostatEta) {
            this.mirostatEta = mirostatEta;
            return this;
        }

        /** Sets {@code seed}; -1 means random, as in Ollama. */
        public Builder seed(long seed) {
            this.seed = seed == -1 ? OptionalLong.empty() : OptionalLong.of(seed);
            return this;
        }

        /** Sets {@code seed} from an optional request field; {@code null} or -1 means random. */
        public Builder seed(Long seed) {
            return seed == null ? randomSeed() : seed(seed.longValue());
        }

        /** Clears the seed: each generation draws a random one. */
        public Builder randomSeed() {
            this.seed = OptionalLong.empty();
            return this;
        }

        /**
         * Replaces {@code logit_bias}. The map is copied; {@code null} clears it. Keys must be token ids &ge; 0
         * and values finite or negative infinity (checked in {@link #build()}).
         */
        public Builder logitBias(Map<Integer, Float> logitBias) {
            // A HashMap, unlike TreeMap or Map.copyOf, keeps a null key or value so that build() can report it
            // as an illegal logit_bias rather than a bare NullPointerException here.
            this.logitBias = logitBias == null ? new HashMap<>() : new HashMap<>(logitBias);
            return this;
        }

        /** Adds or replaces one {@code logit_bias} entry. */
        public Builder logitBias(int tokenId, float bias) {
            this.logitBias.put(tokenId, bias);
            return this;
        }

        /** Sets {@code grammar} (GBNF); {@code null} or empty means no grammar, as in llama.cpp. */
        public Builder grammar(String grammar) {
            this.grammar = grammar == null || grammar.isEmpty() ? null : grammar;
            return this;
        }

        /**
         * Validates every option and returns the immutable settings.
         *
         * @throws InvalidParameterException naming the first illegal option by its Ollama name
         */
        public SamplingParams build() {
            requireFloat(temperature, "temperature");
            InvalidParameterException.require(temperature >= 0, "temperature", "must be >= 0, got " + temperature);
            InvalidParameterException.require(topK >= 0, "top_k", "must be >= 0 (0 disables), got " + topK);
            requireProbability(topP, "top_p");
            requireProbability(minP, "min_p");
            requireProbability(typicalP, "typical_p");
            InvalidParameterException.require(repeatLastN >= -1, "repeat_last_n",
                    "must be >= -1 (-1 = whole context, 0 disables), got " + repeatLastN);
            requireFloat(repeatPenalty, "repeat_penalty");
            InvalidParameterException.require(repeatPenalty > 0, "repeat_penalty",
                    "must be > 0 (1 disables), got " + repeatPenalty);
            requireFloat(presencePenalty, "presence_penalty");
            requireFloat(frequencyPenalty, "frequency_penalty");
            InvalidParameterException.require(mirostat >= 0 && mirostat <= 2, "mirostat",
                    "must be 0 (off), 1 or 2, got " + mirostat);
            if (mirostat != 0) {
                // Only checked when used: clients echo these options back with mirostat off, and an unused value
                // should not fail a request.
                requireFloat(mirostatTau, "mirostat_tau");
                InvalidParameterException.require(mirostatTau > 0, "mirostat_tau", "must be > 0, got " + mirostatTau);
                requireFloat(mirostatEta, "mirostat_eta");
                InvalidParameterException.require(mirostatEta > 0, "mirostat_eta", "must be > 0, got " + mirostatEta);
            }
            for (Map.Entry<Integer, Float> e : logitBias.entrySet()) {
                InvalidParameterException.require(e.getKey() != null, "logit_bias", "token id must not be null");
                int id = e.getKey();
                Float bias = e.getValue();
                InvalidParameterException.require(id >= 0, "logit_bias", "token id must be >= 0, got " + id);
                InvalidParameterException.require(bias != null, "logit_bias", "bias for token " + id + " is null");
                // -Infinity bans a token; +Infinity would give the token an infinite logit and turn softmax into
                // NaN (inf - inf), so it is rejected like NaN.
                InvalidParameterException.require(!bias.isNaN() && bias != Float.POSITIVE_INFINITY, "logit_bias",
                        "bias for token " + id + " must be a number or -Infinity, got " + bias);
            }
            return new SamplingParams(this, Collections.unmodifiableMap(new TreeMap<>(logitBias)));
        }

        /** Values are stored as float: a double that is finite but overflows float must be rejected too. */
        private static void requireFloat(double value, String parameter) {
            InvalidParameterException.require(Double.isFinite(value) && Float.isFinite((float) value), parameter,
                    "must be a finite number, got " + value);
        }

        private static void requireProbability(double value, String parameter) {
            InvalidParameterException.require(value >= 0 && value <= 1, parameter,
                    "must be between 0 and 1, got " + value);
        }
    }
}
