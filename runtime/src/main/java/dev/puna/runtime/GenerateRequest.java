package dev.puna.runtime;

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
 * </ul>
 */
public final class GenerateRequest {
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

        public GenerateRequest build() {
            InvalidParameterException.require(prompt != null || promptTokens != null, "prompt", "a prompt is required");
            return new GenerateRequest(this);
        }
    }
}
