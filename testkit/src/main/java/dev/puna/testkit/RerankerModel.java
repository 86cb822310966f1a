package dev.puna.testkit;

import dev.puna.gguf.GgmlType;
import dev.puna.gguf.GgufWriter;
import dev.puna.gguf.TensorData;
import java.util.Arrays;
import java.util.List;

/**
 * A tiny reranker: a one-layer Qwen3-architecture model ({@code general.architecture = qwen3}) with rank pooling
 * ({@code qwen3.pooling_type = 4}) and a two-label classification head ({@code cls.output.weight}, labels
 * {@code yes}/{@code no}), the layout llama.cpp loads Qwen3-Reranker GGUFs in. Qwen3 because it is the smallest
 * architecture whose rank pooling reads every token: llama.cpp pools a Qwen3 reranker at the last token of a causal
 * model, while BERT-style rank pooling takes the first (CLS) token, which needs a bidirectional encoder, a WordPiece
 * vocabulary and token-type embeddings besides.
 *
 * <p>The weights make every score computable by hand ({@link #score}):
 * <ul>
 *   <li>Q and K projections are zero, so attention is uniform over the positions so far; V and the output
 *       projection are the identity, so the attention adds the mean of the RMS-normed embeddings of the tokens up to
 *       the last. The feed-forward weights are zero.</li>
 *   <li>The last token's state {@code h = e_last + mean_j rmsnorm(e_j)} is RMS-normed again (output norm), and the
 *       head's two rows give the yes/no logits; llama.cpp's Qwen3 rank pooling ends in a softmax, so the score is
 *       {@code P(yes) = 1 / (1 + exp(no - yes))}.</li>
 * </ul>
 * The score therefore depends on every token of the pair, query and document, and on the last most. Tests that
 * compare with {@link #score} run llama.cpp without flash attention, whose f16 sums would blur the last digits. Embeddings are
 * seeded random unit vectors and head rows seeded uniform noise of scale {@value #HEAD_SCALE}, so the same model
 * always has the same bytes. Norm weights are 1; every tensor is F32. Instances are immutable.
 */
public final class RerankerModel {
    /** {@code qwen3.embedding_length}. */
    public static final int EMBEDDING_LENGTH = 64;
    /** {@code qwen3.attention.head_count}, and {@code head_count_kv}. */
    public static final int HEADS = 4;
    /** {@code qwen3.feed_forward_length}. */
    public static final int FEED_FORWARD_LENGTH = 128;
    /** {@code qwen3.context_length}. */
    public static final int CONTEXT_LENGTH = 4096;
    /** {@code qwen3.attention.layer_norm_rms_epsilon}. */
    public static final float RMS_EPSILON = 1e-6f;

    private static final float HEAD_SCALE = 0.25f;
    private static final int HEAD_DIMENSION = EMBEDDING_LENGTH / HEADS;

    private final Vocabulary vocabulary;
    private final String name;
    private final long seed;
    /** {@code tokenizer.chat_template.rerank}, or null. */
    private final String rerankTemplate;
    private final float[][] embeddings;
    /** Row 0: yes, row 1: no. */
    private final float[][] head = new float[2][EMBEDDING_LENGTH];

    private RerankerModel(Vocabulary vocabulary, String name, long seed, String rerankTemplate) {
        this.vocabulary = vocabulary;
        this.name = name;
        this.seed = seed;
        this.rerankTemplate = rerankTemplate;
        SplitMix64 random = new SplitMix64(seed);
        embeddings = new float[vocabulary.size()][];
        for (int token = 0; token < embeddings.length; token++) {
            embeddings[token] = unitVector(random);
        }
        for (float[] row : head) {
            for (int i = 0; i < row.length; i++) {
                row[i] = HEAD_SCALE * random.nextSymmetric();
            }
        }
    }

    /** A reranker over {@code vocabulary}, named {@code name}, with weights from {@code seed}. */
    public static RerankerModel of(Vocabulary vocabulary, String name, long seed) {
        return new RerankerModel(vocabulary, name, seed, null);
    }

    /**
     * This model with a rerank prompt ({@code tokenizer.chat_template.rerank}, with {@code {query}} and
     * {@code {document}} placeholders, as Qwen3-Reranker GGUFs carry one), which the server then formats pairs with.
     */
    public RerankerModel withRerankTemplate(String template) {
        return new RerankerModel(vocabulary, name, seed, template);
    }

    /** The vocabulary. */
    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /**
     * The score llama.cpp computes for {@code tokens} (one pair, as the server formats it), in double precision
     * from the same weights, with the two roundings llama.cpp's CPU attention makes without flash attention: V in
     * an f16 KV cache, and the attention weights rounded to f16 for the product with it. Expect agreement to 1e-6
     * without flash attention; with it, llama.cpp also sums the attention in f16 (about 1e-3).
     */
    public double score(int[] tokens) {
        // The attention weights (softmax of equal scores, 1/n) meet the f16 V cache in an f16 matrix product, so
        // both are rounded to f16 before they are multiplied.
        double weight = f16(1f / tokens.length);
        double[] mean = new double[EMBEDDING_LENGTH];
        for (int token : tokens) {
            double[] normed = rmsNorm(toDouble(embeddings[token]));
            for (int i = 0; i < EMBEDDING_LENGTH; i++) {
                mean[i] += f16((float) normed[i]) * weight;
            }
        }
        double[] state = toDouble(embeddings[tokens[tokens.length - 1]]);
        for (int i = 0; i < EMBEDDING_LENGTH; i++) {
            state[i] += mean[i];
        }
        double[] out = rmsNorm(state);
        double yes = 0;
        double no = 0;
        for (int i = 0; i < EMBEDDING_LENGTH; i++) {
            yes += head[0][i] * out[i];
            no += head[1][i] * out[i];
        }
        return 1 / (1 + Math.exp(no - yes));
    }

    private static float f16(float x) {
        return Float.float16ToFloat(Float.floatToFloat16(x));
    }

    private static double[] rmsNorm(double[] x) {
        double squares = 0;
        for (double v : x) {
            squares += v * v;
        }
        double scale = 1 / Math.sqrt(squares / x.length + RMS_EPSILON);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * scale;
        }
        return out;
    }

    private static double[] toDouble(float[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }

    /** A writer holding the whole model (F32). */
    public GgufWriter toWriter() {
        long embd = EMBEDDING_LENGTH;
        GgufWriter writer = GgufWriter.create();
        writer.putString("general.architecture", "qwen3")
                .putString("general.name", name)
                .putUInt32("qwen3.block_count", 1)
                .putUInt32("qwen3.context_length", CONTEXT_LENGTH)
                .putUInt32("qwen3.embedding_length", EMBEDDING_LENGTH)
                .putUInt32("qwen3.feed_forward_length", FEED_FORWARD_LENGTH)
                .putUInt32("qwen3.attention.head_count", HEADS)
                .putUInt32("qwen3.attention.head_count_kv", HEADS)
                .putFloat32("qwen3.attention.layer_norm_rms_epsilon", RMS_EPSILON)
                .putUInt32("qwen3.pooling_type", 4)
                .putStringArray("qwen3.classifier.output_labels", List.of("yes", "no"))
                .putUInt32("general.file_type", 0)
                .putUInt32("general.quantization_version", 2);
        vocabulary.writeTo(writer);
        if (rerankTemplate != null) {
            writer.putString("tokenizer.chat_template.rerank", rerankTemplate);
        }
        writer.addTensor("token_embd.weight", GgmlType.F32, new long[] {embd, vocabulary.size()},
                rows(embeddings));
        writer.addTensor("blk.0.attn_norm.weight", GgmlType.F32, new long[] {embd}, constant(1));
        writer.addTensor("blk.0.attn_q.weight", GgmlType.F32, new long[] {embd, embd}, constant(0));
        writer.addTensor("blk.0.attn_k.weight", GgmlType.F32, new long[] {embd, embd}, constant(0));
        writer.addTensor("blk.0.attn_v.weight", GgmlType.F32, new long[] {embd, embd}, identity());
        writer.addTensor("blk.0.attn_output.weight", GgmlType.F32, new long[] {embd, embd}, identity());
        writer.addTensor("blk.0.attn_q_norm.weight", GgmlType.F32, new long[] {HEAD_DIMENSION}, constant(1));
        writer.addTensor("blk.0.attn_k_norm.weight", GgmlType.F32, new long[] {HEAD_DIMENSION}, constant(1));
        writer.addTensor("blk.0.ffn_norm.weight", GgmlType.F32, new long[] {embd}, constant(1));
        writer.addTensor("blk.0.ffn_gate.weight", GgmlType.F32, new long[] {embd, FEED_FORWARD_LENGTH}, constant(0));
        writer.addTensor("blk.0.ffn_up.weight", GgmlType.F32, new long[] {embd, FEED_FORWARD_LENGTH}, constant(0));
        writer.addTensor("blk.0.ffn_down.weight", GgmlType.F32, new long[] {FEED_FORWARD_LENGTH, embd}, constant(0));
        writer.addTensor("output_norm.weight", GgmlType.F32, new long[] {embd}, constant(1));
        writer.addTensor("cls.output.weight", GgmlType.F32, new long[] {embd, 2}, rows(head));
        return writer;
    }

    private static TensorData constant(float value) {
        return (row, out) -> Arrays.fill(out, value);
    }

    private static TensorData identity() {
        return (row, out) -> {
            Arrays.fill(out, 0);
            out[(int) row] = 1;
        };
    }

    private static TensorData rows(float[][] matrix) {
        return (row, out) -> System.arraycopy(matrix[(int) row], 0, out, 0, out.length);
    }

    private static float[] unitVector(SplitMix64 random) {
        float[] vector = new float[EMBEDDING_LENGTH];
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
}
