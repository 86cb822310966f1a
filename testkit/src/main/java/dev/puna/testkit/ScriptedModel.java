package dev.puna.testkit;

import dev.puna.gguf.GgmlType;
import dev.puna.gguf.GgufWriter;
import dev.puna.gguf.TensorData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.OptionalInt;

/**
 * A tiny llama-architecture model whose greedy decoding follows scripted token chains exactly.
 *
 * <p>How: every attention and feed-forward weight is zero, so each layer adds nothing and the residual stream
 * carries the current token's embedding unchanged to the output. Embeddings are random unit vectors (seeded, so
 * fixed), norm weights are 1, and the output row of token {@code t} is {@value #SCRIPT_WEIGHT} times the sum of the
 * embeddings of the tokens scripted to precede {@code t}. After RMS norm the hidden state is
 * {@code sqrt(n_embd) * e} for the current token's embedding {@code e}, so the scripted successor scores
 * {@code 10 * 8 = 80} while random unit vectors overlap by about {@code 1/8} and leave every other token far behind.
 * Output rows of tokens no script leads to hold noise of scale {@value #NOISE}.
 *
 * <p>The next token depends on the current token only, so each token can have at most one scripted successor.
 *
 * <p>Shape: by default {@value #EMBEDDING_LENGTH} embedding, {@value #LAYERS} layers, {@value #HEADS} heads and KV
 * heads, {@value #FEED_FORWARD_LENGTH} feed-forward, context {@value #CONTEXT_LENGTH}; {@link Builder#shape} makes a
 * larger model with the same scripts (its zero weights still cost what real ones do to read, so a big one is as
 * memory-bound as a real model of its size: the speculative-decoding benchmark's target). Instances are immutable.
 */
public final class ScriptedModel {
    /** {@code llama.embedding_length}. */
    public static final int EMBEDDING_LENGTH = 64;
    /** {@code llama.block_count}. */
    public static final int LAYERS = 2;
    /** {@code llama.attention.head_count}, and {@code head_count_kv}. */
    public static final int HEADS = 4;
    /** {@code llama.feed_forward_length}. */
    public static final int FEED_FORWARD_LENGTH = 128;
    /** {@code llama.context_length}. */
    public static final int CONTEXT_LENGTH = 4096;

    private static final float SCRIPT_WEIGHT = 10;
    private static final float NOISE = 0.01f;

    private final Vocabulary vocabulary;
    private final String architecture;
    private final String name;
    private final int[] successors;
    private final float[][] embeddings;
    private final float[][] outputs;
    private final int embedding;
    private final int layers;
    private final int feedForward;
    private final int heads;
    private final int experts;
    private final int expertsUsed;

    private ScriptedModel(Builder builder) {
        vocabulary = builder.vocabulary;
        embedding = builder.embedding;
        layers = builder.layers;
        feedForward = builder.feedForward;
        heads = builder.heads;
        experts = builder.experts;
        expertsUsed = builder.expertsUsed;
        architecture = builder.architecture;
        name = builder.name;
        successors = builder.successors.clone();
        int size = vocabulary.size();
        SplitMix64 random = new SplitMix64(builder.seed);
        embeddings = new float[size][];
        for (int token = 0; token < size; token++) {
            embeddings[token] = unitVector(random, embedding);
        }
        outputs = outputRows(successors, embeddings, random, embedding);
    }

    /** Scripted rows sum their predecessors' embeddings; rows no script leads to get noise. */
    private static float[][] outputRows(int[] successors, float[][] embeddings, SplitMix64 random, int embedding) {
        float[][] outputs = new float[successors.length][embedding];
        boolean[] scripted = new boolean[successors.length];
        for (int token = 0; token < successors.length; token++) {
            int next = successors[token];
            if (next >= 0) {
                scripted[next] = true;
                for (int i = 0; i < embedding; i++) {
                    outputs[next][i] += SCRIPT_WEIGHT * embeddings[token][i];
                }
            }
        }
        for (int token = 0; token < successors.length; token++) {
            if (!scripted[token]) {
                for (int i = 0; i < embedding; i++) {
                    outputs[token][i] = NOISE * random.nextSymmetric();
                }
            }
        }
        return outputs;
    }

    /** A builder for a model over {@code vocabulary}. */
    public static Builder builder(Vocabulary vocabulary) {
        return new Builder(vocabulary);
    }

    /** The vocabulary. */
    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /**
     * The embedding written for token {@code tokenId} (a unit vector), as F32; a file of another type holds it
     * rounded to that type.
     */
    public float[] embedding(int tokenId) {
        return embeddings[tokenId].clone();
    }

    /** {@code llama.embedding_length}: the length of every embedding and output row. */
    public int embeddingLength() {
        return embedding;
    }

    /** The output row of token {@code tokenId}: what makes it its predecessors' successor. */
    float[] outputRow(int tokenId) {
        return outputs[tokenId];
    }

    /** The token greedy decoding picks after {@code tokenId}, if a script says. */
    public OptionalInt successor(int tokenId) {
        int next = successors[tokenId];
        return next < 0 ? OptionalInt.empty() : OptionalInt.of(next);
    }

    /**
     * A writer holding the whole model, with norm weights in F32 and every other tensor in {@code type}.
     *
     * @param type F32, F16 or Q8_0
     */
    public GgufWriter toWriter(GgmlType type) {
        LlamaShape shape = new LlamaShape(vocabulary.size(), layers, embedding, feedForward, heads, heads,
                CONTEXT_LENGTH, experts, expertsUsed);
        GgufWriter writer = GgufWriter.create();
        shape.putMetadata(writer, architecture, name, type);
        vocabulary.writeTo(writer);
        for (LlamaShape.Tensor tensor : shape.tensors()) {
            switch (tensor.role()) {
                case NORM -> writer.addTensor(tensor.name(), GgmlType.F32, tensor.dims(), constant(1));
                case TOKEN_EMBEDDING -> writer.addTensor(tensor.name(), type, tensor.dims(), rows(embeddings));
                case OUTPUT -> writer.addTensor(tensor.name(), type, tensor.dims(), rows(outputs));
                case PROJECTION -> writer.addTensor(tensor.name(), type, tensor.dims(), constant(0));
            }
        }
        return writer;
    }

    /** Writes the model to {@code file} (see {@link #toWriter}). */
    public void write(Path file, GgmlType type) throws IOException {
        toWriter(type).write(file);
    }

    private static TensorData constant(float value) {
        return (row, out) -> Arrays.fill(out, value);
    }

    private static TensorData rows(float[][] matrix) {
        return (row, out) -> System.arraycopy(matrix[(int) row], 0, out, 0, out.length);
    }

    private static float[] unitVector(SplitMix64 random, int length) {
        float[] vector = new float[length];
        double squares = 0;
        for (int i = 0; i < vector.length; i++) {
            vector[i] = random.nextSymmetric();
            squares += vector[i] * vector[i];
        }
        float scale = (float) (1 / Math.sqrt(squares));
        for (int i = 0; i < vector.length; i++) {
            vector[i] *= scale;
        }
        return vector;
    }

    /** Collects the scripts of a {@link ScriptedModel}. Not thread-safe. */
    public static final class Builder {
        private final Vocabulary vocabulary;
        private final int[] successors;
        private String architecture = "llama";
        private String name = "puna-scripted";
        private long seed = 0x5EED;
        private int embedding = EMBEDDING_LENGTH;
        private int layers = LAYERS;
        private int feedForward = FEED_FORWARD_LENGTH;
        private int heads = HEADS;
        private int experts;
        private int expertsUsed;

        private Builder(Vocabulary vocabulary) {
            this.vocabulary = vocabulary;
            this.successors = new int[vocabulary.size()];
            Arrays.fill(successors, -1);
        }

        /**
         * Scripts each piece to be followed by the next one, e.g. {@code chain("▁Hello", "▁world", "</s>")}. The
         * first piece is usually the last token of a prompt.
         *
         * @throws IllegalArgumentException if a piece is not in the vocabulary, or a token would get a second,
         *         different successor
         */
        public Builder chain(String... pieces) {
            for (int i = 0; i + 1 < pieces.length; i++) {
                int token = vocabulary.id(pieces[i]);
                int next = vocabulary.id(pieces[i + 1]);
                if (successors[token] >= 0 && successors[token] != next) {
                    throw new IllegalArgumentException(
                            "token '%s' (id %d) is already scripted to be followed by '%s' (id %d), not '%s' (id %d)"
                                    .formatted(pieces[i], token, vocabulary.piece(successors[token]),
                                            successors[token], pieces[i + 1], next));
                }
                successors[token] = next;
            }
            return this;
        }

        /** Sets {@code general.name} (default {@code puna-scripted}). */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /**
         * Sets {@code general.architecture} (default {@code llama}); any other value makes a model llama.cpp refuses
         * to load, for error-path tests. The hyperparameter keys stay {@code llama.*}.
         */
        public Builder architecture(String architecture) {
            this.architecture = architecture;
            return this;
        }

        /**
         * Sets the model's size (default the tiny shape above); the scripts work the same at any size.
         *
         * @throws IllegalArgumentException unless {@code embedding} is a positive multiple of {@code heads} and
         *         of 32 (Q8_0 blocks), and the others are positive
         */
        public Builder shape(int embedding, int layers, int feedForward, int heads) {
            if (embedding <= 0 || heads <= 0 || embedding % heads != 0 || embedding % 32 != 0 || layers <= 0
                    || feedForward <= 0 || feedForward % 32 != 0) {
                throw new IllegalArgumentException("bad shape: embedding " + embedding + ", layers " + layers
                        + ", feed-forward " + feedForward + ", heads " + heads);
            }
            this.embedding = embedding;
            this.layers = layers;
            this.feedForward = feedForward;
            this.heads = heads;
            return this;
        }

        /**
         * Makes every layer's feed-forward a mixture of {@code count} experts, {@code used} of them per token
         * (default none: dense). The experts' weights are zero like every other projection, so the scripts are
         * unchanged; the model exercises llama.cpp's MoE path and the {@code *_exps} tensors offload acts on.
         *
         * @throws IllegalArgumentException unless {@code 0 < used <= count}
         */
        public Builder experts(int count, int used) {
            if (count <= 0 || used <= 0 || used > count) {
                throw new IllegalArgumentException(count + " experts with " + used + " used per token");
            }
            this.experts = count;
            this.expertsUsed = used;
            return this;
        }

        /** Sets the seed of the embeddings and the noise (default fixed). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** The model. */
        public ScriptedModel build() {
            return new ScriptedModel(this);
        }
    }
}
