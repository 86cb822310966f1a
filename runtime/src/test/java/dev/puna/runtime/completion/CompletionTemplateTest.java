package dev.puna.runtime.completion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.puna.gguf.GgmlType;
import dev.puna.runtime.InvalidParameterException;
import dev.puna.runtime.Model;
import dev.puna.runtime.ModelParams;
import dev.puna.runtime.SpecialTokens;
import dev.puna.testkit.TestModels;
import dev.puna.testkit.Vocabulary;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Template parsing, and exact prompt tokens on the scripted model's vocabulary (which has FIM tokens). */
class CompletionTemplateTest {
    private static final Vocabulary VOCAB = TestModels.vocabulary();
    private static Model model;

    @BeforeAll
    static void load() throws Exception {
        Path file = TestModels.scripted(Path.of("target", "test-models").toAbsolutePath(), GgmlType.F32);
        model = Model.load(file, ModelParams.builder().vocabOnly(true).build());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static int id(String piece) {
        return VOCAB.id(piece);
    }

    private static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(IntStream::of).toArray();
    }

    @Test
    void fillInTheMiddleFollowsLlamaCppInfillOrder() {
        assertArrayEquals(new int[] {Vocabulary.BOS, Vocabulary.FIM_PREFIX, id("▁Hello"), Vocabulary.FIM_SUFFIX,
                id("▁world"), Vocabulary.FIM_MIDDLE}, FillInMiddle.prompt(model, "Hello", "world"));
        assertArrayEquals(new int[] {Vocabulary.BOS, Vocabulary.FIM_PREFIX, Vocabulary.FIM_SUFFIX, Vocabulary.FIM_MIDDLE},
                FillInMiddle.prompt(model, "", ""));
    }

    @Test
    void specialTokenTextInUserCodeStaysText() {
        int[] tokens = FillInMiddle.prompt(model, "<|fim_prefix|>", "<|fim_middle|>");
        int[] asText = model.tokenize("<|fim_prefix|>", false, false);
        int[] middleAsText = model.tokenize("<|fim_middle|>", false, false);
        assertArrayEquals(concat(new int[] {Vocabulary.BOS, Vocabulary.FIM_PREFIX}, asText,
                new int[] {Vocabulary.FIM_SUFFIX}, middleAsText, new int[] {Vocabulary.FIM_MIDDLE}), tokens);
        assertFalse(IntStream.of(asText).anyMatch(t -> t == Vocabulary.FIM_PREFIX));
        assertEquals(1, IntStream.of(tokens).filter(t -> t == Vocabulary.FIM_MIDDLE).count());
    }

    @Test
    void defaultTemplateUsesTheModelsFimTokens() {
        assertEquals("{bos}{#5}{code_prefix}{#6}{code_suffix}{#7}", CompletionTemplate.defaultFor(model).source());
    }

    @Test
    void modelsWithoutFimTokensAreRefused() {
        SpecialTokens none = new SpecialTokens(1, 2, -1, -1, -1, -1, -1, -1, -1, -1, -1, true, false);
        FimUnsupportedException e = assertThrows(FimUnsupportedException.class,
                () -> CompletionTemplate.defaultFor(none, "tiny", "suffix"));
        assertEquals("suffix", e.parameter());
        assertEquals("suffix: model 'tiny' does not support fill-in-the-middle: it has no FIM prefix, suffix and "
                + "middle tokens", e.getMessage());
    }

    @Test
    void codeInferflowTemplateWithSpecialTokensByTextAndId() {
        CodeCompletionPrompt prompt = CodeCompletionPrompt.parse(
                "# Language: Python\n# Path: Hello\nHello <SUF>world <MID>").orElseThrow();
        CompletionTemplate template = CompletionTemplate.parse(
                "{bos}{<|fim_prefix|>}{code_file_path}{\\n}{code_prefix}{#6}{code_suffix}{<|fim_middle|>}");
        // Path, newline and prefix are one stretch of text: one leading SentencePiece space, "Hello" whole only there.
        assertArrayEquals(new int[] {Vocabulary.BOS, Vocabulary.FIM_PREFIX, id("▁Hello"), VOCAB.byteToken('\n'),
                id("H"), id("e"), id("l"), id("l"), id("o"), Vocabulary.FIM_SUFFIX, id("▁world"), Vocabulary.FIM_MIDDLE},
                template.render(model, prompt));
    }

    @Test
    void literalTextAndLanguageAndQuery() {
        CodeCompletionPrompt prompt = new CodeCompletionPrompt("Count:", "", "", "", "Hello");
        assertArrayEquals(new int[] {id("▁Count:"), id("▁"), id("{"), id("}"), id("▁Hello"), Vocabulary.EOS},
                CompletionTemplate.parse("{code_language} {{}} {query}{eos}").render(model, prompt));
    }

    @Test
    void unknownPlaceholdersAreRefusedWhenParsing() {
        CompletionTemplateException e = assertThrows(CompletionTemplateException.class,
                () -> CompletionTemplate.parse("{<fim_prefix>}{code_middle}"));
        assertEquals("code_middle", e.placeholder());
        assertEquals("template", e.parameter());
        assertEquals("", assertThrows(CompletionTemplateException.class,
                () -> CompletionTemplate.parse("{code_prefix")).placeholder());
    }

    @Test
    void unknownSpecialTokensAndIdsAreRefusedWhenRendering() {
        CodeCompletionPrompt prompt = CodeCompletionPrompt.of("a", "b");
        CompletionTemplateException e = assertThrows(CompletionTemplateException.class,
                () -> CompletionTemplate.parse("{<fim_prefix>}{code_prefix}").render(model, prompt));
        assertEquals("<fim_prefix>", e.placeholder());
        assertEquals("template: unknown special token {<fim_prefix>}: the model's vocabulary has no token with that "
                + "text", e.getMessage());
        assertEquals("#99999", assertThrows(CompletionTemplateException.class,
                () -> CompletionTemplate.parse("{#99999}").render(model, prompt)).placeholder());
        assertEquals("<|fim_prefix", assertThrows(CompletionTemplateException.class,
                () -> CompletionTemplate.parse("{<|fim_prefix}").render(model, prompt)).placeholder());
        InvalidParameterException asParameterError = e;
        assertEquals("template", asParameterError.parameter());
    }
}
