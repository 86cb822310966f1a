package dev.puna.runtime;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What to generate: a prompt (text or token ids), sampling settings, limits and stop strings. Immutable; build
 * with {@link #builder()}. Validation happens in the builder, before any native call.
 *
 * <ul>
 *   <li>{@code maxTokens} ({@code num_predict}): -1 (default) generates until EOS, a stop string or a full
 *       context; 0 evaluates the prompt only.</li>
 *   <li>{@code addSpecial}: let the tokenizer add the model's BOS (default true; chat prompts rendered by a
 *       template that already starts with BOS set it false, see the chat package).</li>
 *   <li>{@code parseSpecial}: recognise special-token text such as {@code <|im_start|>} in the prompt (default
 *       true, as templates emit them as text).</li>
 *   <li>{@code topLogprobs}: with {@code logprobs}, how many alternatives to report per token (0..20).</li>
 *   <li>{@code truncate} (default false): a prompt that does not fit the context loses tokens from its start,
 *       after the first {@code numKeep}, instead of failing with {@link ContextOverflowException} (Ollama's
 *       {@code truncate}). Honoured by {@link Engine}.</li>
 *   <li>{@code shift} (default false): when the context fills during generation, the older half of the tokens
 *       after the first {@code numKeep} is dropped and generation goes on (Ollama's context shift), instead of
 *       ending with {@link FinishReason#CONTEXT_FULL}. Honoured by {@link Engine}.</li>
 *   <li>{@code numKeep} ({@code num_keep}, default 4): tokens at the start that truncation and shifting keep.</li>
 *   <li>{@code adapters} (default none): LoRA adapters of the engine's model and their scales, applied for this
 *       request only (llama-server's per-request {@code lora}). Honoured by {@link Engine}.</li>
 *   <li>{@code userMessageStarts} (default none): where the prompt's user messages start, as token positions. A
 *       model whose memory cannot be cut back to a prefix (sliding-window or recurrent layers) takes a checkpoint
 *       there while evaluating the prompt, as llama-server does at its chat template's message spans: at the first
 *       and the last, and at those {@link #CHECKPOINT_STEP} tokens past the previous pause. A client that edits the
 *       last message, or an earlier one of a long conversation, or sends another conversation under the same system
 *       prompt, continues from there. Ignored by other models; the chat routes fill it in.</li>
 * </ul>
 */
public final class GenerateRequest {
    /**
     * How far past the previous pause a user message other than the first and the last must start for a checkpoint
     * of its own ({@link Builder#userMessageStarts}), as llama-server's {@code --checkpoint-min-step} default.
     */
    public static final int CHECKPOINT_STEP = 8192;
    private final String prompt;
    private final int[] promptTokens;
    private final boolean addSpecial;
    private final boolean parseSpecial;
    private final SamplingParams sampling;
    private final int maxTokens;
    private final List<String> stop;
    private final boolean logprobs;
    private final int topLogprobs;
    private final CancellationToken cancellation;
    private final boolean truncate;
    private final boolean shift;
    private final int numKeep;
    private final List<LoraScale> adapters;
    private final dev.puna.runtime.vision.VisionPrompt vision;
    private final int[] userMessageStarts;

    private GenerateRequest(Builder b) {
        this.prompt = b.prompt;
        this.promptTokens = b.promptTokens == null ? null : b.promptTokens.clone();
        this.addSpecial = b.addSpecial;
        this.parseSpecial = b.parseSpecial;
        this.sampling = b.sampling;
        this.maxTokens = b.maxTokens;
        this.stop = List.copyOf(b.stop);
        this.logprobs = b.logprobs;
        this.topLogprobs = b.topLogprobs;
        this.cancellation = b.cancellation;
        this.truncate = b.truncate;
        this.shift = b.shift;
        this.numKeep = b.numKeep;
        this.adapters = b.adapters;
        this.vision = b.vision;
        this.userMessageStarts = b.userMessageStarts;
    }

    /** Where the prompt's user messages start (ascending token positions); empty when not given. */
    public int[] userMessageStarts() {
        return userMessageStarts.clone();
    }

    /**
     * The prompt with images ({@link dev.puna.runtime.vision.Projector#tokenize}), or null. The caller owns it and
     * closes it once the generation's result is complete.
     */
    public dev.puna.runtime.vision.VisionPrompt visionPrompt() {
        return vision;
    }

    /** The LoRA adapters and scales to run with; empty for the bare model. */
    public List<LoraScale> adapters() {
        return adapters;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A request for {@code prompt} with default settings. */
    public static GenerateRequest of(String prompt) {
        return builder().prompt(prompt).build();
    }

    /** The prompt text, or {@code null} when the prompt was given as tokens. */
    public String prompt() {
        return prompt;
    }

    /** The prompt tokens, or {@code null} when the prompt was given as text. */
    public int[] promptTokens() {
        return promptTokens == null ? null : promptTokens.clone();
    }

    public boolean addSpecial() {
        return addSpecial;
    }

    public boolean parseSpecial() {
        return parseSpecial;
    }

    public SamplingParams sampling() {
        return sampling;
    }

    public int maxTokens() {
        return maxTokens;
    }

    public List<String> stop() {
        return stop;
    }

    public boolean logprobs() {
        return logprobs;
    }

    public int topLogprobs() {
        return topLogprobs;
    }

    /** The token that cancels this generation; never {@code null} (a fresh one when none was given). */
    public CancellationToken cancellation() {
        return cancellation;
    }

    public boolean truncate() {
        return truncate;
    }

    public boolean shift() {
        return shift;
    }

    public int numKeep() {
        return numKeep;
    }

    /** A builder holding this request's settings, to derive a changed copy. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.prompt = prompt;
        b.promptTokens = promptTokens;
        b.addSpecial = addSpecial;
        b.parseSpecial = parseSpecial;
        b.sampling = sampling;
        b.maxTokens = maxTokens;
        b.stop = stop;
        b.logprobs = logprobs;
        b.topLogprobs = topLogprobs;
        b.cancellation = cancellation;
        b.truncate = truncate;
        b.shift = shift;
        b.numKeep = numKeep;
        b.adapters = adapters;
        b.vision = vision;
        b.userMessageStarts = userMessageStarts;
        return b;
    }

    /** Builder for {@link GenerateRequest}. */
    public static final class Builder {
        private String prompt;
        private int[] promptTokens;
        private boolean addSpecial = true;
        private boolean parseSpecial = true;
        private SamplingParams sampling = SamplingParams.defaults();
        private int maxTokens = -1;
        private List<String> stop = List.of();
        private boolean logprobs;
        private int topLogprobs;
        private CancellationToken cancellation = new CancellationToken();
        private boolean truncate;
        private boolean shift;
        private int numKeep = 4;
        private List<LoraScale> adapters = List.of();
        private dev.puna.runtime.vision.VisionPrompt vision;
        private int[] userMessageStarts = new int[0];

        private Builder() {
        }

        public Builder prompt(String text) {
            this.prompt = Objects.requireNonNull(text, "prompt");
            this.promptTokens = null;
            return this;
        }

        public Builder promptTokens(int[] tokens) {
            this.promptTokens = Objects.requireNonNull(tokens, "promptTokens").clone();
            this.prompt = null;
            return this;
        }

        public Builder addSpecial(boolean v) {
            this.addSpecial = v;
            return this;
        }

        public Builder parseSpecial(boolean v) {
            this.parseSpecial = v;
            return this;
        }

        public Builder sampling(SamplingParams s) {
            this.sampling = Objects.requireNonNull(s, "sampling");
            return this;
        }

        public Builder maxTokens(int n) {
            InvalidParameterException.require(n >= -1, "num_predict", "must be >= -1 (-1 = no limit), got " + n);
            this.maxTokens = n;
            return this;
        }

        public Builder stop(List<String> stops) {
            Objects.requireNonNull(stops, "stop");
            for (String s : stops) {
                InvalidParameterException.require(s != null && !s.isEmpty(), "stop", "stop strings must not be empty");
            }
            this.stop = List.copyOf(stops);
            return this;
        }

        public Builder logprobs(boolean v) {
            this.logprobs = v;
            return this;
        }

        public Builder topLogprobs(int n) {
            InvalidParameterException.require(n >= 0 && n <= 20, "top_logprobs", "must be between 0 and 20, got " + n);
            this.topLogprobs = n;
            return this;
        }

        public Builder cancellation(CancellationToken token) {
            this.cancellation = Objects.requireNonNull(token, "cancellation");
            return this;
        }

        public Builder truncate(boolean v) {
            this.truncate = v;
            return this;
        }

        public Builder shift(boolean v) {
            this.shift = v;
            return this;
        }

        public Builder numKeep(int n) {
            InvalidParameterException.require(n >= 0, "num_keep", "must be >= 0, got " + n);
            this.numKeep = n;
            return this;
        }

        /** The LoRA adapters (of the engine's model) and scales this request runs with; empty for none. */
        public Builder adapters(List<LoraScale> list) {
            this.adapters = List.copyOf(Objects.requireNonNull(list, "adapters"));
            return this;
        }

        /**
         * A prompt with images, tokenized by the engine model's projector, in place of a text or token prompt;
         * kept open by the caller until the result completes.
         */
        public Builder visionPrompt(dev.puna.runtime.vision.VisionPrompt prompt) {
            this.vision = Objects.requireNonNull(prompt, "prompt");
            return this;
        }

        /**
         * Where the prompt's user messages start, as token positions (in any order; duplicates count once). Positions
         * past the prompt's end are ignored.
         */
        public Builder userMessageStarts(int... positions) {
            int[] sorted = Objects.requireNonNull(positions, "positions").clone();
            Arrays.sort(sorted);
            InvalidParameterException.require(sorted.length == 0 || sorted[0] >= 0, "user_message_starts",
                    "positions must be 0 or more, got " + (sorted.length == 0 ? 0 : sorted[0]));
            this.userMessageStarts = Arrays.stream(sorted).distinct().toArray();
            return this;
        }

        public GenerateRequest build() {
            InvalidParameterException.require(prompt != null || promptTokens != null || vision != null, "prompt",
                    "a prompt is required");
            return new GenerateRequest(this);
        }
    }
}
