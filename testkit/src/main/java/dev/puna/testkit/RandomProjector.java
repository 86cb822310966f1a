package dev.puna.testkit;

import dev.puna.gguf.GgmlType;
import dev.puna.gguf.GgufWriter;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A tiny image projector ("mmproj" GGUF, {@code general.architecture = clip}) with random weights, which llama.cpp's
 * {@code libmtmd} loads next to a text model whose embedding length is {@link #projectionDim}: with it, a generated
 * model takes images.
 *
 * <p><b>Why this projector type.</b> It is LLaVA's {@code mlp} projector ({@code clip.projector_type = "mlp"}) with
 * a vision tower of <em>zero</em> transformer blocks, because that is the fewest tensors clip.cpp (llama.cpp
 * v0.5.0 tools/mtmd) loads and runs:
 * <ul>
 *   <li>{@code mlp} needs no special tokens in the text model's vocabulary (Gemma 3, Qwen-VL, MiniCPM-V and most
 *       others wrap images in tokens such as {@code <start_of_image>} that the text model must have), no M-RoPE
 *       (Qwen-VL's multi-axis positions), no tiling and no variable resolution: every image is resized to
 *       {@link #imageSize} squared and becomes exactly {@link #imageTokens()} embeddings, so token counts are
 *       deterministic whatever the picture's size;</li>
 *   <li>its graph (models/llava.cpp) is patch convolution, plus position embedding, then
 *       {@code mm.0 -> GELU -> mm.2}; {@code clip.vision.block_count = 0} runs no attention layer at all (LLaVA
 *       stops one block before the last, so zero blocks loads and runs none), and the two projection matrices are
 *       the only ones {@code mlp} requires ({@code mm.2} is what clip.cpp reads the output width from);</li>
 *   <li>{@code image_size} 32 with {@code patch_size} 8 (the smallest sizes that keep several distinct patches)
 *       gives 16 image tokens, so an image costs a test a few milliseconds.</li>
 * </ul>
 * The embeddings are a fixed random function of the pixels, so the same image always gives the same embeddings and
 * two different images give different ones. Weights are uniform with variance {@code 1/fan_in} so each stage keeps
 * values near unit scale; every tensor is F32 (ggml's CPU and CUDA convolutions take it).
 *
 * @param projectionDim {@code clip.vision.projection_dim}: the text model's {@code embedding_length}
 * @param visionEmbedding the width of the patch embeddings ({@code clip.vision.embedding_length})
 * @param imageSize the square side every image is resized to
 * @param patchSize the side of one patch; {@code imageSize} must be a multiple of it
 * @param seed the seed of every weight
 */
public record RandomProjector(int projectionDim, int visionEmbedding, int imageSize, int patchSize, long seed) {
    /** The standard image side. */
    public static final int IMAGE_SIZE = 32;
    /** The standard patch side. */
    public static final int PATCH_SIZE = 8;

    public RandomProjector {
        if (projectionDim <= 0 || visionEmbedding <= 0 || patchSize <= 0 || imageSize < patchSize
                || imageSize % patchSize != 0) {
            throw new IllegalArgumentException(("projection %d, vision embedding %d, image %d, patch %d: sizes must "
                    + "be positive and the image a multiple of the patch").formatted(projectionDim, visionEmbedding,
                    imageSize, patchSize));
        }
    }

    /** The standard projector for a text model of embedding length {@code projectionDim}: 32-pixel images, 16 tokens. */
    public static RandomProjector forTextModel(int projectionDim) {
        return new RandomProjector(projectionDim, 32, IMAGE_SIZE, PATCH_SIZE, 1234);
    }

    /** The projector that matches the {@linkplain TestModels#scripted scripted models}. */
    public static RandomProjector forScriptedModel() {
        return forTextModel(ScriptedModel.EMBEDDING_LENGTH);
    }

    /** How many embeddings (text-model positions) one image becomes: {@code (imageSize / patchSize)^2}. */
    public int imageTokens() {
        int side = imageSize / patchSize;
        return side * side;
    }

    /** The projector's {@code general.name}, spelling out every parameter (and the generator's version). */
    public String name() {
        return "puna-random-mmproj-v1 mlp, proj %d, vision embd %d, image %d, patch %d, seed %d"
                .formatted(projectionDim, visionEmbedding, imageSize, patchSize, seed);
    }

    /** A writer holding the whole projector. */
    public GgufWriter toWriter() {
        GgufWriter writer = GgufWriter.create()
                .putString("general.architecture", "clip")
                .putString("general.name", name())
                .putUInt32("general.file_type", 0)
                .putBool("clip.has_vision_encoder", true)
                .putString("clip.projector_type", "mlp")
                .putUInt32("clip.vision.embedding_length", visionEmbedding)
                .putUInt32("clip.vision.feed_forward_length", visionEmbedding)
                .putUInt32("clip.vision.block_count", 0)
                .putUInt32("clip.vision.projection_dim", projectionDim)
                .putUInt32("clip.vision.attention.head_count", 1)
                .putFloat32("clip.vision.attention.layer_norm_epsilon", 1e-6f)
                .putUInt32("clip.vision.image_size", imageSize)
                .putUInt32("clip.vision.patch_size", patchSize)
                .putFloat32Array("clip.vision.image_mean", new float[] {0.5f, 0.5f, 0.5f})
                .putFloat32Array("clip.vision.image_std", new float[] {0.5f, 0.5f, 0.5f});
        long patchInputs = 3L * patchSize * patchSize;
        // ggml order: the convolution kernel is [KW, KH, in channels, out channels].
        random(writer, 0, "v.patch_embd.weight", new long[] {patchSize, patchSize, 3, visionEmbedding}, patchInputs);
        random(writer, 1, "v.position_embd.weight", new long[] {visionEmbedding, imageTokens()}, 1);
        random(writer, 2, "mm.0.weight", new long[] {visionEmbedding, projectionDim}, visionEmbedding);
        random(writer, 3, "mm.0.bias", new long[] {projectionDim}, visionEmbedding);
        random(writer, 4, "mm.2.weight", new long[] {projectionDim, projectionDim}, projectionDim);
        random(writer, 5, "mm.2.bias", new long[] {projectionDim}, projectionDim);
        return writer;
    }

    private void random(GgufWriter writer, long stream, String name, long[] dims, long fanIn) {
        // Uniform on [-b, b] has variance b^2 / 3; b = sqrt(3 / fan_in) gives variance 1 / fan_in.
        float bound = (float) Math.sqrt(3.0 / fanIn);
        writer.addTensor(name, GgmlType.F32, dims, (row, out) -> {
            SplitMix64 random = SplitMix64.forItem(seed, stream, row);
            for (int i = 0; i < out.length; i++) {
                out[i] = bound * random.nextSymmetric();
            }
        });
    }

    /** Writes the projector to {@code file}, atomically. */
    public void write(Path file) throws IOException {
        toWriter().write(file);
    }
}
