package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.testkit.TestModels;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of bad input gives a typed Java exception naming the file or parameter; nothing aborts. */
class BadInputTest {
    private static Model model;
    private static Session session;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        model = Model.load(Models.scripted());
        session = model.newSession(Models.session());
    }

    @AfterAll
    static void close() {
        session.close();
        model.close();
    }

    @Test
    void missingFile() {
        Path p = dir.resolve("nope.gguf");
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> Model.load(p));
        assertEquals(p + ": no such file", e.getMessage());
        assertEquals(p, e.path());
    }

    @Test
    void directory() {
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> Model.load(dir));
        assertEquals(dir + ": is a directory, not a GGUF model file", e.getMessage());
    }

    @Test
    void notGguf() throws IOException {
        Path p = Files.writeString(dir.resolve("readme.gguf"), "this is not a model\n");
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> Model.load(p));
        assertTrue(e.getMessage().startsWith(p + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("not a GGUF file"), e.getMessage());
    }

    @Test
    void emptyFile() throws IOException {
        Path p = Files.write(dir.resolve("empty.gguf"), new byte[0]);
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> Model.load(p));
        assertTrue(e.getMessage().startsWith(p + ": "), e.getMessage());
    }

    @Test
    void truncatedFile() throws IOException {
        byte[] full = Files.readAllBytes(Models.scripted());
        Path p = Files.write(dir.resolve("truncated.gguf"), Arrays.copyOf(full, full.length / 2));
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> Model.load(p));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void truncatedInsideHeader() throws IOException {
        byte[] full = Files.readAllBytes(Models.scripted());
        Path p = Files.write(dir.resolve("header.gguf"), Arrays.copyOf(full, 100));
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> Model.load(p));
        assertTrue(e.getMessage().startsWith(p + ": "), e.getMessage());
    }

    @Test
    void corruptMetadataCount() throws IOException {
        byte[] bytes = Files.readAllBytes(Models.scripted());
        // Header: magic, version (u32), tensor count (u64), kv count (u64): claim 2^40 key/value pairs.
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(16, 1L << 40);
        Path p = Files.write(dir.resolve("corrupt.gguf"), bytes);
        assertThrows(ModelLoadException.class, () -> Model.load(p));
    }

    @Test
    void unknownArchitecture() throws IOException {
        Path p = TestModels.unknownArchitecture(dir);
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class, () -> Model.load(p));
        assertEquals(p + ": unknown model architecture 'puna-unknown': this llama.cpp build cannot run it",
                e.getMessage());
    }

    @Test
    void promptLongerThanContext() {
        try (Session small = model.newSession(SessionParams.builder().contextSize(256).threads(2).build())) {
            String prompt = " Hello".repeat(300);
            ContextOverflowException e = assertThrows(ContextOverflowException.class,
                    () -> small.generate(Models.greedy(prompt)));
            assertEquals(model.tokenize(prompt, true, true).length, e.promptTokens());
            assertTrue(e.promptTokens() > 300);
            assertEquals(256, e.contextSize());
        }
    }

    @Test
    void negativeTopK() {
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> SamplingParams.builder().topK(-1).build());
        assertEquals("top_k", e.parameter());
    }

    @Test
    void nanTemperature() {
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> SamplingParams.builder().temperature(Double.NaN).build());
        assertEquals("temperature", e.parameter());
    }

    @Test
    void tokenIdsOutsideTheVocabulary() {
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> session.generate(GenerateRequest.builder().promptTokens(new int[] {1, 999_999}).build()));
        assertEquals("prompt", e.parameter());
        assertThrows(InvalidParameterException.class, () -> model.detokenize(new int[] {-5}, false, false));
    }

    @Test
    void logitBiasForAnUnknownToken() {
        SamplingParams p = SamplingParams.builder().logitBias(1_000_000, 1f).build();
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> session.generate(GenerateRequest.builder().prompt("Hello").sampling(p).build()));
        assertEquals("logit_bias", e.parameter());
    }

    @Test
    void invalidGrammar() {
        SamplingParams p = SamplingParams.builder().grammar("root ::= (unclosed").build();
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> session.generate(GenerateRequest.builder().prompt("Hello").sampling(p).build()));
        assertEquals("grammar", e.parameter());
    }

    @Test
    void negativeCheckpointBytes() {
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> SessionParams.builder().checkpointBytes(-1));
        assertEquals("checkpoint_bytes", e.parameter());
        assertEquals("checkpoint_bytes: must be 0 or more, got -1", e.getMessage());
        assertEquals(0, SessionParams.builder().checkpointBytes(0).build().checkpointBytes());
    }

    @Test
    void negativeUserMessageStart() {
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> GenerateRequest.builder().userMessageStarts(40, -3));
        assertEquals("user_message_starts", e.parameter());
        assertEquals("user_message_starts: positions must be 0 or more, got -3", e.getMessage());
        assertArrayEquals(new int[] {0, 12, 40}, GenerateRequest.builder().prompt("x").userMessageStarts(40, 0, 12, 40)
                .build().userMessageStarts());
    }

    @Test
    void emptyPromptWithoutSpecialTokens() {
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> session.generate(GenerateRequest.builder().prompt("").addSpecial(false).build()));
        assertEquals("prompt", e.parameter());
    }

    @Test
    void invalidSessionAndRequestParameters() {
        assertEquals("num_ctx", assertThrows(InvalidParameterException.class,
                () -> SessionParams.builder().contextSize(-1)).parameter());
        assertEquals("num_thread", assertThrows(InvalidParameterException.class,
                () -> SessionParams.builder().threads(0)).parameter());
        assertEquals("kv_cache_type", assertThrows(InvalidParameterException.class,
                () -> SessionParams.builder().kvCacheType(KvCacheType.Q8_0)
                        .flashAttention(FlashAttention.DISABLED).build()).parameter());
        assertEquals("num_predict", assertThrows(InvalidParameterException.class,
                () -> GenerateRequest.builder().maxTokens(-2)).parameter());
        assertEquals("top_logprobs", assertThrows(InvalidParameterException.class,
                () -> GenerateRequest.builder().topLogprobs(21)).parameter());
        assertEquals("kv_cache_type", assertThrows(InvalidParameterException.class,
                () -> KvCacheType.parse("q3")).parameter());
    }

    @Test
    void generatingOnAnEmbeddingSessionIsRejected() {
        try (Session e = model.newSession(SessionParams.builder().contextSize(64).embeddings(true).build())) {
            assertThrows(IllegalStateException.class, () -> e.generate(Models.greedy("Hello")));
        }
        assertThrows(IllegalStateException.class, () -> session.embed(java.util.List.of("Hello")));
    }
}
