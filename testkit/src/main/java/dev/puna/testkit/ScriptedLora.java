package dev.puna.testkit;

import dev.puna.gguf.GgmlType;
import dev.puna.gguf.GgufWriter;

/**
 * A LoRA adapter (GGUF, rank 1, on {@code output.weight}) for a {@link ScriptedModel} that rewrites one step of
 * its script: after token {@code after} the model with the adapter picks {@code next} instead of the scripted
 * successor.
 *
 * <p>How: the scripted model's last hidden state is {@code sqrt(n_embd) * e} for the current token's embedding
 * {@code e} (see {@link ScriptedModel}). The adapter's {@code lora_a} is {@code e(after)}, so {@code A·h} is
 * {@code sqrt(n_embd) = 8} after {@code after} and about ±1 after other tokens (random unit vectors overlap by
 * about 1/8). {@code lora_b} is {@value #WEIGHT} at {@code next} and minus that at the old successor, so at scale 1
 * the logits move by ±160, far past the script's 80, and after other tokens by about ±20, too little to change
 * any scripted step. With {@code adapter.lora.alpha} = rank = 1, llama.cpp applies the request's scale as is:
 * scale 0 is the bare script.
 */
public final class ScriptedLora {
    private static final float WEIGHT = 20;

    private ScriptedLora() {
    }

    /**
     * The adapter as a GGUF writer (F32 tensors).
     *
     * @throws IllegalArgumentException if a piece is not in the model's vocabulary or {@code after} has no
     *         scripted successor
     */
    public static GgufWriter rescript(ScriptedModel model, String after, String next) {
        Vocabulary vocabulary = model.vocabulary();
        int from = vocabulary.id(after);
        int to = vocabulary.id(next);
        int old = model.successor(from).orElseThrow(
                () -> new IllegalArgumentException("'" + after + "' has no scripted successor to replace"));
        float[] a = model.embedding(from);
        float[] b = new float[vocabulary.size()];
        b[to] = WEIGHT;
        b[old] = -WEIGHT;
        GgufWriter writer = GgufWriter.create();
        writer.putString("general.architecture", "llama")
                .putString("general.type", "adapter")
                .putString("general.name", "puna-scripted-lora")
                .putString("adapter.type", "lora")
                .putFloat32("adapter.lora.alpha", 1);
        // ggml order: lora_a is [n_embd, rank], lora_b is [rank, n_vocab].
        writer.addTensor("output.weight.lora_a", GgmlType.F32, new long[] {a.length, 1}, a);
        writer.addTensor("output.weight.lora_b", GgmlType.F32, new long[] {1, b.length}, b);
        return writer;
    }
}
