package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.puna.testkit.ScriptedModel;
import dev.puna.testkit.TestModels;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Pooled embeddings of the scripted model are predictable: its layers are zero, so each token's final hidden
 * state is its embedding after the output RMS norm (a positive scaling of a unit vector), and pooling then
 * L2 normalisation gives exactly the normalised mean (or first, or last) of the token embeddings.
 */
class EmbeddingsTest {
    private static final ScriptedModel SCRIPT = TestModels.scriptedModel();

    @Test
    void meanPoolingByDefault() {
        float[] expected = normalise(sum(SCRIPT.embedding(1), SCRIPT.embedding(Models.id("▁Hello"))));
        assertArrayEquals(expected, embed(Pooling.MODEL_DEFAULT, "Hello")[0], 1e-4f);
    }

    @Test
    void clsAndLastPooling() {
        assertArrayEquals(normalise(SCRIPT.embedding(1)), embed(Pooling.CLS, "Hello")[0], 1e-4f);
        assertArrayEquals(normalise(SCRIPT.embedding(Models.id("▁Hello"))), embed(Pooling.LAST, "Hello")[0], 1e-4f);
    }

    @Test
    void batchOfInputsInOrder() {
        float[][] v = embed(Pooling.MEAN, "Hello", "Count:", "Hello");
        assertEquals(3, v.length);
        assertEquals(ScriptedModel.EMBEDDING_LENGTH, v[0].length);
        assertArrayEquals(v[0], v[2], 0f);
        float[] count = normalise(sum(SCRIPT.embedding(1), SCRIPT.embedding(Models.id("▁Count:"))));
        assertArrayEquals(count, v[1], 1e-4f);
        double norm = 0;
        for (float x : v[1]) {
            norm += x * x;
        }
        assertEquals(1.0, norm, 1e-5);
    }

    @Test
    void inputLongerThanTheBatchIsRejected() {
        try (Model m = Model.load(Models.scripted());
             Session s = m.newSession(SessionParams.builder().contextSize(64).batchSize(16).ubatchSize(16)
                     .embeddings(true).build())) {
            assertThrows(ContextOverflowException.class, () -> s.embed(List.of(" Hello".repeat(40))));
        }
    }

    @Test
    void tokenIdsAreEmbeddedExactlyAsGiven() {
        int hello = Models.id("▁Hello");
        try (Model m = Model.load(Models.scripted());
             Session s = m.newSession(SessionParams.builder().contextSize(256).embeddings(true).build())) {
            float[][] v = s.embedTokens(List.of(new int[] {1, hello}, new int[] {hello}));
            assertArrayEquals(s.embed(List.of("Hello"))[0], v[0], 0f); // the text's tokens, BOS included
            assertArrayEquals(normalise(SCRIPT.embedding(hello)), v[1], 1e-4f); // no BOS added
            InvalidParameterException outside = assertThrows(InvalidParameterException.class,
                    () -> s.embedTokens(List.of(new int[] {m.vocabSize()})));
            assertEquals("input", outside.parameter());
            InvalidParameterException empty = assertThrows(InvalidParameterException.class,
                    () -> s.embedTokens(List.of(new int[] {hello}, new int[0])));
            assertEquals("input: input 1 is empty", empty.getMessage());
        }
    }

    private static float[][] embed(Pooling pooling, String... inputs) {
        try (Model m = Model.load(Models.scripted());
             Session s = m.newSession(SessionParams.builder().contextSize(256).embeddings(true).pooling(pooling).build())) {
            return s.embed(List.of(inputs));
        }
    }

    private static float[] sum(float[] a, float[] b) {
        float[] r = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i] + b[i];
        }
        return r;
    }

    private static float[] normalise(float[] v) {
        double n = 0;
        for (float x : v) {
            n += (double) x * x;
        }
        float[] r = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = (float) (v[i] / Math.sqrt(n));
        }
        return r;
    }
}
