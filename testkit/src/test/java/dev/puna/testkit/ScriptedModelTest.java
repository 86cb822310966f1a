package dev.puna.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.gguf.GgmlType;
import dev.puna.gguf.GgufFile;
import dev.puna.gguf.GgufTensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ScriptedModelTest {
    @TempDir
    Path dir;

    @Test
    void rejectsASecondSuccessor() {
        ScriptedModel.Builder builder = ScriptedModel.builder(TestModels.vocabulary()).chain("▁Hello", "▁world");
        builder.chain("▁Hello", "▁world", "!");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> builder.chain("▁Hello", "!"));
        assertEquals("token '▁Hello' (id 365) is already scripted to be followed by '▁world' (id 370), not '!' (id 267)",
                e.getMessage());
        assertEquals("'▁Goodbye' is not in the vocabulary",
                assertThrows(IllegalArgumentException.class, () -> builder.chain("▁Goodbye", "!")).getMessage());
    }

    @Test
    void exposesScriptsAndUnitEmbeddings() {
        ScriptedModel model = TestModels.scriptedModel();
        Vocabulary vocabulary = model.vocabulary();
        assertEquals(OptionalInt.of(vocabulary.id("▁world")), model.successor(vocabulary.id("▁Hello")));
        assertEquals(OptionalInt.of(vocabulary.id("▁one")), model.successor(vocabulary.id("▁ten")));
        assertEquals(OptionalInt.empty(), model.successor(Vocabulary.EOS));
        double squares = 0;
        for (float x : model.embedding(vocabulary.id("▁Hello"))) {
            squares += x * x;
        }
        assertEquals(1, squares, 1e-6);
    }

    /**
     * Runs the model's arithmetic on the tensors as written: with zero attention and feed-forward weights the
     * logits are {@code output · rmsnorm(embedding)}, whose argmax must be each token's scripted successor, by a
     * wide margin even after quantization.
     */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "Q8_0"})
    void greedyDecodingOfTheWrittenTensorsFollowsEveryScript(GgmlType type) throws IOException {
        assertEquals(26, scriptedTokensFollowed(TestModels.scriptedModel(), type));
    }

    @Test
    void theToolCallerFollowsItsScriptsToo() throws IOException {
        assertEquals(5 + 11 + 11, scriptedTokensFollowed(TestModels.toolCallerModel(), GgmlType.F32));
    }

    /** Checks greedy decoding of the written tensors picks each token's successor by a wide margin; counts them. */
    private int scriptedTokensFollowed(ScriptedModel model, GgmlType type) throws IOException {
        Path file = dir.resolve("model.gguf");
        model.write(file, type);
        GgufFile gguf = GgufFile.read(file);
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[][] embeddings = matrix(bytes, gguf.tensor("token_embd.weight").orElseThrow());
        float[][] outputs = matrix(bytes, gguf.tensor("output.weight").orElseThrow());

        int scripted = 0;
        for (int token = 0; token < embeddings.length; token++) {
            OptionalInt next = model.successor(token);
            if (next.isEmpty()) {
                continue;
            }
            float[] logits = logits(rmsNorm(embeddings[token]), outputs);
            int best = argmax(logits);
            assertEquals(next.getAsInt(), best, "successor of " + model.vocabulary().piece(token));
            float runnerUp = Float.NEGATIVE_INFINITY;
            for (int t = 0; t < logits.length; t++) {
                runnerUp = t == best ? runnerUp : Math.max(runnerUp, logits[t]);
            }
            assertTrue(logits[best] - runnerUp > 30, "margin " + (logits[best] - runnerUp));
            scripted++;
        }
        return scripted;
    }

    private static float[] rmsNorm(float[] x) {
        double squares = 0;
        for (float v : x) {
            squares += v * v;
        }
        float scale = (float) (1 / Math.sqrt(squares / x.length + 1e-5));
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] * scale;
        }
        return y;
    }

    private static float[] logits(float[] hidden, float[][] outputs) {
        float[] logits = new float[outputs.length];
        for (int t = 0; t < outputs.length; t++) {
            for (int i = 0; i < hidden.length; i++) {
                logits[t] += outputs[t][i] * hidden[i];
            }
        }
        return logits;
    }

    private static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            best = values[i] > values[best] ? i : best;
        }
        return best;
    }

    /** Decodes a 2-D F32, F16 or Q8_0 tensor into rows. */
    private static float[][] matrix(ByteBuffer bytes, GgufTensorInfo tensor) {
        int columns = tensor.dims().get(0).intValue();
        float[][] rows = new float[tensor.dims().get(1).intValue()][columns];
        int at = (int) tensor.offset();
        for (float[] row : rows) {
            for (int i = 0; i < columns; i++) {
                switch (tensor.type()) {
                    case F32 -> row[i] = bytes.getFloat(at + 4 * i);
                    case F16 -> row[i] = Float.float16ToFloat(bytes.getShort(at + 2 * i));
                    case Q8_0 -> row[i] = Float.float16ToFloat(bytes.getShort(at + i / 32 * 34))
                            * bytes.get(at + i / 32 * 34 + 2 + i % 32);
                    default -> throw new AssertionError(tensor.type());
                }
            }
            at += (int) tensor.type().byteSize(columns);
        }
        return rows;
    }
}
