package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.testkit.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * LoRA adapters per request on the scripted model and its generated adapter: exact outputs with and without the
 * adapter and at scale 0, sequences with different adapters at once, prefix reuse kept apart per adapter set.
 */
@Timeout(60)
class LoraTest {
    private static Model model;
    private static LoraAdapter lora;

    @BeforeAll
    static void load() throws IOException {
        model = Model.load(Models.scripted());
        lora = LoraAdapter.load(model, TestModels.scriptedLora(Models.DIR));
    }

    @AfterAll
    static void close() {
        lora.close();
        model.close();
    }

    private static Engine engine(int parallel) {
        return Engine.start(model, EngineParams.builder().parallel(parallel)
                .session(SessionParams.builder().contextSize(256).threads(2).build()).build());
    }

    private static GenerateRequest hello(float scale) {
        GenerateRequest.Builder b = GenerateRequest.builder().prompt(TestModels.HELLO_PROMPT)
                .sampling(SamplingParams.greedy());
        return (Float.isNaN(scale) ? b : b.adapters(List.of(new LoraScale(lora, scale)))).build();
    }

    private static GenerationResult run(Engine engine, GenerateRequest request) {
        return engine.submit(request, e -> { }).result().orTimeout(30, TimeUnit.SECONDS).join();
    }

    @Test
    void theAdapterChangesTheAnswerAndScaleZeroIsTheBareModel() {
        try (Engine engine = engine(1)) {
            assertEquals(TestModels.HELLO_COMPLETION, run(engine, hello(Float.NaN)).text());
            assertEquals(TestModels.HELLO_LORA_COMPLETION, run(engine, hello(1)).text());
            assertEquals(TestModels.HELLO_COMPLETION, run(engine, hello(0)).text());
            assertEquals(TestModels.HELLO_LORA_COMPLETION, run(engine, hello(1)).text());
            assertEquals(TestModels.HELLO_COMPLETION, run(engine, hello(Float.NaN)).text());
        }
    }

    @Test
    void sequencesWithDifferentAdaptersRunAtOnceEachWithItsOwn() {
        try (Engine engine = engine(4)) {
            List<GenerationHandle> handles = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                handles.add(engine.submit(hello(i % 2 == 0 ? 1 : 0), e -> { }));
            }
            for (int i = 0; i < handles.size(); i++) {
                GenerationResult r = handles.get(i).result().orTimeout(30, TimeUnit.SECONDS).join();
                assertEquals(i % 2 == 0 ? TestModels.HELLO_LORA_COMPLETION : TestModels.HELLO_COMPLETION, r.text(),
                        "request " + i);
                assertEquals(FinishReason.EOS, r.finishReason());
            }
        }
    }

    @Test
    void aCachedPrefixIsNotReusedUnderOtherAdapters() {
        try (Engine engine = engine(1)) {
            GenerationResult bare = run(engine, hello(Float.NaN));
            GenerationResult again = run(engine, hello(Float.NaN));
            assertEquals(bare.promptTokens() - 1, again.cachedPromptTokens());
            GenerationResult adapted = run(engine, hello(1));
            assertEquals(0, adapted.cachedPromptTokens());
            assertEquals(TestModels.HELLO_LORA_COMPLETION, adapted.text());
        }
    }

    @Test
    void anAdapterOfAnotherModelIsRefused() throws IOException {
        try (Model other = Model.load(Models.scripted(dev.puna.gguf.GgmlType.F16));
             LoraAdapter foreign = LoraAdapter.load(other, TestModels.scriptedLora(Models.DIR));
             Engine engine = engine(1)) {
            InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> engine.submit(
                    GenerateRequest.builder().prompt("Hello").adapters(List.of(new LoraScale(foreign, 1))).build(),
                    ev -> { }));
            assertEquals("lora", e.parameter());
        }
    }

    @Test
    void aFileThatIsNotALoraIsRefusedInJava() {
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> LoraAdapter.load(model, Models.scripted()));
        assertTrue(e.getMessage().contains("is not a LoRA adapter (general.type '', adapter.type '')"), e.getMessage());
        Path missing = Models.DIR.resolve("no-such-lora.gguf");
        assertTrue(Files.notExists(missing));
        assertThrows(ModelLoadException.class, () -> LoraAdapter.load(model, missing));
    }

    @Test
    void aClosedAdapterCannotBeRequestedAndTheModelOutlivesItsAdapters() throws IOException {
        LoraAdapter temporary = LoraAdapter.load(model, TestModels.scriptedLora(Models.DIR));
        temporary.close();
        temporary.close();
        try (Engine engine = engine(1)) {
            assertThrows(ResourceClosedException.class, () -> engine.submit(GenerateRequest.builder().prompt("Hello")
                    .adapters(List.of(new LoraScale(temporary, 1))).build(), e -> { }));
            assertEquals(TestModels.HELLO_COMPLETION, run(engine, hello(Float.NaN)).text());
        }
    }
}
