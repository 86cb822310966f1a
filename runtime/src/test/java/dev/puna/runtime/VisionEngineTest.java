package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.runtime.vision.Image;
import dev.puna.runtime.vision.Projector;
import dev.puna.runtime.vision.ProjectorParams;
import dev.puna.runtime.vision.VisionPrompt;
import dev.puna.testkit.TestModels;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Images through the engine: a prompt's image cells are evaluated by the projector into the slot's KV cache, count
 * as prompt tokens, are reused by a follow-up turn with the same image (and not with another), share the engine with
 * text requests in continuous batching, and change the answer of a model that attends to them.
 */
@Timeout(120)
class VisionEngineTest {
    private static Model scripted;
    private static Projector projector;
    private static Model looking;
    private static Projector eyes;

    @BeforeAll
    static void load() throws IOException {
        scripted = Model.load(Models.scripted());
        projector = Projector.load(scripted, TestModels.scriptedProjector(Models.DIR),
                new ProjectorParams(false, 2, false));
        looking = Model.load(TestModels.randomVisionModel(Models.DIR));
        eyes = Projector.load(looking, TestModels.scriptedProjector(Models.DIR), new ProjectorParams(false, 2, false));
    }

    @AfterAll
    static void close() {
        eyes.close();
        looking.close();
        projector.close();
        scripted.close();
    }

    static Image png(int seed) {
        BufferedImage image = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                image.setRGB(x, y, ((x * 6 + seed * 70) & 0xFF) << 16 | ((y * 8 + seed * 30) & 0xFF) << 8
                        | ((((x / 4 + y / 4 + seed) & 1) == 0) ? 40 : 220));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Image.of(out.toByteArray());
    }

    private static Engine engine(Model model, int parallel) {
        return Engine.start(model, EngineParams.builder().parallel(parallel)
                .session(SessionParams.builder().contextSize(256).threads(2).build()).build());
    }

    private static GenerationResult run(Engine engine, VisionPrompt prompt, int maxTokens) {
        return engine.submit(GenerateRequest.builder().visionPrompt(prompt).sampling(SamplingParams.greedy())
                .maxTokens(maxTokens).build(), e -> { }).result().orTimeout(60, TimeUnit.SECONDS).join();
    }

    @Test
    void anImageIsEvaluatedIntoTheSlotAndCountsAsPromptTokens() {
        try (Engine engine = engine(scripted, 1);
             VisionPrompt prompt = projector.tokenize(projector.marker() + TestModels.HELLO_PROMPT,
                     List.of(png(1)), true, true)) {
            GenerationResult r = run(engine, prompt, -1);
            // Attention is zero in the scripted model: the image is there, the script goes on from "Hello".
            assertEquals(TestModels.HELLO_COMPLETION, r.text());
            assertEquals(prompt.tokenCount(), r.promptTokens());
            assertEquals(1 + 16 + 1, r.promptTokens(), "BOS, 16 image cells, Hello");
            assertEquals(0, r.cachedPromptTokens());
        }
    }

    @Test
    void theSameImageIsReusedFromTheCacheAndAnotherIsNot() {
        try (Engine engine = engine(scripted, 1)) {
            try (VisionPrompt first = projector.tokenize(projector.marker() + TestModels.HELLO_PROMPT,
                    List.of(png(1)), true, true)) {
                run(engine, first, -1);
            }
            long evaluatedBefore = engine.stats().promptTokensEvaluated();
            try (VisionPrompt again = projector.tokenize(projector.marker() + TestModels.HELLO_PROMPT
                    + TestModels.HELLO_COMPLETION + " Hello", List.of(png(1)), true, true)) {
                GenerationResult r = run(engine, again, 3);
                assertEquals(1 + 16 + 1 + 4, r.cachedPromptTokens(), "the image and the first turn came from the cache");
                assertEquals(r.promptTokens() - r.cachedPromptTokens(),
                        engine.stats().promptTokensEvaluated() - evaluatedBefore, "the image was not encoded again");
            }
            try (VisionPrompt other = projector.tokenize(projector.marker() + TestModels.HELLO_PROMPT,
                    List.of(png(2)), true, true)) {
                GenerationResult r = run(engine, other, -1);
                assertEquals(1, r.cachedPromptTokens(), "only BOS: the other image differs from its first cell");
                assertEquals(TestModels.HELLO_COMPLETION, r.text());
            }
        }
    }

    @Test
    void aModelThatAttendsToImagesAnswersTheSameImageAlikeAndAnotherDifferently() {
        try (Engine engine = engine(looking, 2)) {
            String[] answers = new String[3];
            int[] seeds = {1, 1, 2};
            for (int i = 0; i < 3; i++) {
                try (VisionPrompt p = eyes.tokenize(eyes.marker() + " x", List.of(png(seeds[i])), true, true)) {
                    answers[i] = run(engine, p, 8).text();
                }
            }
            assertEquals(answers[0], answers[1]);
            assertNotEquals(answers[0], answers[2]);
        }
    }

    @Test
    void imageAndTextRequestsShareTheEngine() {
        try (Engine engine = engine(scripted, 4)) {
            List<VisionPrompt> prompts = new ArrayList<>();
            List<GenerationHandle> handles = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                GenerateRequest.Builder b = GenerateRequest.builder().sampling(SamplingParams.greedy());
                if (i % 2 == 0) {
                    VisionPrompt p = projector.tokenize(projector.marker() + TestModels.HELLO_PROMPT,
                            List.of(png(i)), true, true);
                    prompts.add(p);
                    b.visionPrompt(p);
                } else {
                    b.prompt(TestModels.COUNT_PROMPT).maxTokens(12);
                }
                handles.add(engine.submit(b.build(), e -> { }));
            }
            for (int i = 0; i < handles.size(); i++) {
                GenerationResult r = handles.get(i).result().orTimeout(60, TimeUnit.SECONDS).join();
                assertEquals(i % 2 == 0 ? TestModels.HELLO_COMPLETION : TestModels.countCompletion(12), r.text(),
                        "request " + i);
            }
            prompts.forEach(VisionPrompt::close);
        }
    }

    @Test
    void badImagePromptsAreRefused() {
        try (Engine engine = engine(scripted, 1)) {
            try (VisionPrompt endsWithImage = projector.tokenize("Hello" + projector.marker(), List.of(png(1)), true,
                    true)) {
                InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> engine.submit(
                        GenerateRequest.builder().visionPrompt(endsWithImage).build(), ev -> { }));
                assertEquals("a prompt must end with text after its last image", e.getMessage().replaceFirst(
                        "^images: ", ""));
            }
            try (VisionPrompt foreign = eyes.tokenize(eyes.marker() + " x", List.of(png(1)), true, true)) {
                assertThrows(InvalidParameterException.class, () -> engine.submit(
                        GenerateRequest.builder().visionPrompt(foreign).build(), ev -> { }));
            }
            VisionPrompt closed = projector.tokenize(projector.marker() + "Hello", List.of(png(1)), true, true);
            closed.close();
            CompletionException failed = assertThrows(CompletionException.class, () -> run(engine, closed, -1));
            assertTrue(failed.getCause() instanceof ResourceClosedException, failed.toString());
            assertEquals(TestModels.HELLO_COMPLETION, engine.submit(GenerateRequest.builder()
                    .prompt(TestModels.HELLO_PROMPT).sampling(SamplingParams.greedy()).build(), e -> { }).result()
                    .join().text(), "the engine goes on");
        }
    }
}
