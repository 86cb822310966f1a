package dev.puna.testkit;

import dev.puna.gguf.GgmlType;
import dev.puna.gguf.GgufWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The hyperparameters of a llama-architecture model, with the metadata keys and tensors (names and ggml-order
 * dimensions) llama.cpp expects for them. With {@code experts > 0} the feed-forward of every layer is a
 * Mixtral-style mixture of experts (llama.cpp's llama architecture with {@code llama.expert_count}): a router
 * {@code ffn_gate_inp} and the stacked expert matrices {@code ffn_gate_exps}, {@code ffn_up_exps},
 * {@code ffn_down_exps}, each {@code experts} deep.
 */
record LlamaShape(int vocabSize, int layers, int embeddingLength, int feedForwardLength, int heads, int kvHeads,
        int contextLength, int experts, int expertsUsed) {

    /** What a tensor holds, which decides the values a model fills it with. */
    enum Role {
        /** An RMS norm weight vector, always F32. */
        NORM,
        /** {@code token_embd}: one row of {@code embeddingLength} per token. */
        TOKEN_EMBEDDING,
        /** {@code output}: one row of {@code embeddingLength} per token, dotted with the final hidden state. */
        OUTPUT,
        /** An attention or feed-forward projection. */
        PROJECTION
    }

    /** One tensor of the model. */
    record Tensor(String name, long[] dims, Role role) {
    }

    /** A dense shape (no experts). */
    LlamaShape(int vocabSize, int layers, int embeddingLength, int feedForwardLength, int heads, int kvHeads,
            int contextLength) {
        this(vocabSize, layers, embeddingLength, feedForwardLength, heads, kvHeads, contextLength, 0, 0);
    }

    LlamaShape {
        if (experts < 0 || expertsUsed < 0 || expertsUsed > experts || (experts > 0 && expertsUsed == 0)) {
            throw new IllegalArgumentException("%d experts with %d used per token".formatted(experts, expertsUsed));
        }
        if (embeddingLength % heads != 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("embedding length %d, %d heads and %d KV heads do not divide evenly"
                    .formatted(embeddingLength, heads, kvHeads));
        }
    }

    int headDimension() {
        return embeddingLength / heads;
    }

    /** Puts {@code general.*} and the {@code llama.*} hyperparameters. */
    void putMetadata(GgufWriter writer, String architecture, String name, GgmlType type) {
        writer.putString("general.architecture", architecture)
                .putString("general.name", name)
                .putUInt32("llama.block_count", layers)
                .putUInt32("llama.context_length", contextLength)
                .putUInt32("llama.embedding_length", embeddingLength)
                .putUInt32("llama.feed_forward_length", feedForwardLength)
                .putUInt32("llama.attention.head_count", heads)
                .putUInt32("llama.attention.head_count_kv", kvHeads)
                .putFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f)
                .putUInt32("llama.rope.dimension_count", headDimension())
                .putUInt32("llama.vocab_size", vocabSize)
                .putUInt32("general.file_type", fileType(type))
                .putUInt32("general.quantization_version", 2);
        if (experts > 0) {
            writer.putUInt32("llama.expert_count", experts).putUInt32("llama.expert_used_count", expertsUsed);
        }
    }

    /** Every tensor: the token embedding, each layer's norms and projections, the output norm and the output. */
    List<Tensor> tensors() {
        long embd = embeddingLength;
        long kv = (long) headDimension() * kvHeads;
        List<Tensor> tensors = new ArrayList<>();
        tensors.add(new Tensor("token_embd.weight", new long[] {embd, vocabSize}, Role.TOKEN_EMBEDDING));
        for (int layer = 0; layer < layers; layer++) {
            String prefix = "blk." + layer + ".";
            tensors.add(new Tensor(prefix + "attn_norm.weight", new long[] {embd}, Role.NORM));
            tensors.add(new Tensor(prefix + "attn_q.weight", new long[] {embd, embd}, Role.PROJECTION));
            tensors.add(new Tensor(prefix + "attn_k.weight", new long[] {embd, kv}, Role.PROJECTION));
            tensors.add(new Tensor(prefix + "attn_v.weight", new long[] {embd, kv}, Role.PROJECTION));
            tensors.add(new Tensor(prefix + "attn_output.weight", new long[] {embd, embd}, Role.PROJECTION));
            tensors.add(new Tensor(prefix + "ffn_norm.weight", new long[] {embd}, Role.NORM));
            if (experts == 0) {
                tensors.add(new Tensor(prefix + "ffn_gate.weight", new long[] {embd, feedForwardLength},
                        Role.PROJECTION));
                tensors.add(new Tensor(prefix + "ffn_up.weight", new long[] {embd, feedForwardLength},
                        Role.PROJECTION));
                tensors.add(new Tensor(prefix + "ffn_down.weight", new long[] {feedForwardLength, embd},
                        Role.PROJECTION));
            } else {
                tensors.add(new Tensor(prefix + "ffn_gate_inp.weight", new long[] {embd, experts}, Role.PROJECTION));
                tensors.add(new Tensor(prefix + "ffn_gate_exps.weight", new long[] {embd, feedForwardLength, experts},
                        Role.PROJECTION));
                tensors.add(new Tensor(prefix + "ffn_up_exps.weight", new long[] {embd, feedForwardLength, experts},
                        Role.PROJECTION));
                tensors.add(new Tensor(prefix + "ffn_down_exps.weight", new long[] {feedForwardLength, embd, experts},
                        Role.PROJECTION));
            }
        }
        tensors.add(new Tensor("output_norm.weight", new long[] {embd}, Role.NORM));
        tensors.add(new Tensor("output.weight", new long[] {embd, vocabSize}, Role.OUTPUT));
        return tensors;
    }

    /** llama.cpp's {@code llama_ftype} for a model whose matrices are {@code type}. */
    static int fileType(GgmlType type) {
        return switch (type) {
            case F32 -> 0;
            case F16 -> 1;
            case Q8_0 -> 7;
            default -> throw new IllegalArgumentException("models are written as F32, F16 or Q8_0, not " + type);
        };
    }
}
