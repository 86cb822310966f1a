package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.runtime.Model;
import dev.puna.runtime.ModelParams;
import dev.puna.testkit.TestModels;
import dev.puna.testkit.Vocabulary;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code /api/generate} with {@code suffix} (fill in the middle with the model's FIM tokens) and with CodeInferflow
 * code-completion prompts ({@code # Language:}/{@code # Path:} headers, {@code <SUF>}, {@code <MID>}), end to end:
 * the exact prompt tokens (the final {@code context} starts with them), the scripted answer to
 * {@code <|fim_middle|>} ({@value TestModels#FIM_COMPLETION}), {@code input_tokens}/{@code output_tokens}, completion
 * templates from the server's settings, and the refusals.
 */
@Timeout(120)
class FillInMiddleEndToEndTest {
    /** CodeInferflow's repository-level template: file separator, path, then the FIM markers by their text. */
    private static final String CODER_TEMPLATE =
            "{bos}{<|file_sep|>}{code_file_path}{\\n}{<|fim_prefix|>}{code_prefix}{<|fim_suffix|>}{code_suffix}{<|fim_middle|>}";
    private static final String CODE_PROMPT = "# Language: Python\\n# Path: hello.py\\nHello <SUF> world <MID>";
    private static ScriptedServer server;
    private static Model vocab;

    @BeforeAll
    static void start() {
        server = new ScriptedServer(ServerConfig.builder().maxLoadedModels(8)
                .completionTemplate("coder", CODER_TEMPLATE)
                .completionTemplate("tools", "{bos}{code_prefix}")
                .completionTemplate("odd", "{<fim_prefix>}{code_prefix}"));
        server.catalog.add("fim", ScriptedServer.MODEL).add("coder", ScriptedServer.MODEL)
                .add("odd", ScriptedServer.MODEL).add("tools", ScriptedServer.TOOLS_MODEL)
                .add("chat-only", ScriptedServer.TOOLS_MODEL);
        vocab = Model.load(ScriptedServer.MODEL, ModelParams.builder().vocabOnly(true).build());
    }

    @AfterAll
    static void stop() {
        vocab.close();
        server.close();
    }

    private static Http.Response generate(String json) {
        return server.http.post("/api/generate", json);
    }

    private static int id(String piece) {
        return TestModels.vocabulary().id(piece);
    }

    /** {@code text} as the completion templates tokenize it: plain text, no BOS, no special tokens. */
    private static List<Integer> text(String text) {
        return IntStream.of(vocab.tokenize(text, false, false)).boxed().toList();
    }

    private static List<Integer> tokens(Object... parts) {
        List<Integer> out = new ArrayList<>();
        for (Object p : parts) {
            if (p instanceof Integer i) {
                out.add(i);
            } else {
                @SuppressWarnings("unchecked")
                List<Integer> list = (List<Integer>) p;
                out.addAll(list);
            }
        }
        return out;
    }

    @Test
    void aSuffixIsFilledInWithTheModelsFimTokens() {
        // "fim" is used by this test only, so its slots are empty and every prompt token is evaluated.
        JsonNode o = generate("{\"model\":\"fim\",\"prompt\":\"Hello\",\"suffix\":\"Puna!\",\"stream\":false,"
                + "\"options\":{\"temperature\":0}}").json();
        assertEquals(TestModels.FIM_COMPLETION, o.get("response").asText());
        assertEquals(List.of(Vocabulary.BOS, Vocabulary.FIM_PREFIX, id("▁Hello"), Vocabulary.FIM_SUFFIX, id("▁Puna"),
                id("!"), Vocabulary.FIM_MIDDLE, id("▁ok")), GenerateEndToEndTest.ints(o.get("context")));
        assertEquals(7, o.get("prompt_eval_count").asInt());
        assertEquals(1, o.get("eval_count").asInt());
        assertEquals("stop", o.get("done_reason").asText());
        assertEquals(Set.of("model", "created_at", "response", "done", "done_reason", "context", "total_duration",
                "load_duration", "prompt_eval_count", "prompt_eval_duration", "eval_count", "eval_duration"),
                GenerateEndToEndTest.fields(o));
    }

    @Test
    void aSuffixStreams() {
        List<JsonNode> lines = generate("{\"model\":\"scripted\",\"prompt\":\"Hello\",\"suffix\":\"Puna!\","
                + "\"options\":{\"temperature\":0}}").lines();
        assertEquals(List.of(TestModels.FIM_COMPLETION, ""), lines.stream().map(l -> l.get("response").asText()).toList());
        assertEquals(8, lines.getLast().get("context").size());
    }

    @Test
    void theSystemPromptDoesNotApplyToFillInTheMiddleAndAnEmptyPrefixIsNoLoadRequest() {
        JsonNode withSystem = generate("{\"model\":\"scripted\",\"prompt\":\"Hello\",\"suffix\":\"Puna!\","
                + "\"system\":\"Count:\",\"stream\":false,\"options\":{\"temperature\":0}}").json();
        assertEquals(List.of(Vocabulary.BOS, Vocabulary.FIM_PREFIX, id("▁Hello"), Vocabulary.FIM_SUFFIX, id("▁Puna"),
                id("!"), Vocabulary.FIM_MIDDLE, id("▁ok")), GenerateEndToEndTest.ints(withSystem.get("context")));
        JsonNode emptyPrefix = generate("{\"model\":\"scripted\",\"prompt\":\"\",\"suffix\":\"Puna!\",\"stream\":false,"
                + "\"options\":{\"temperature\":0}}").json();
        assertEquals("stop", emptyPrefix.get("done_reason").asText());
        assertEquals(List.of(Vocabulary.BOS, Vocabulary.FIM_PREFIX, Vocabulary.FIM_SUFFIX, id("▁Puna"), id("!"),
                Vocabulary.FIM_MIDDLE, id("▁ok")), GenerateEndToEndTest.ints(emptyPrefix.get("context")));
    }

    @Test
    void contextComesFirstAndTheFimPromptThenHasNoBos() {
        JsonNode o = generate("{\"model\":\"scripted\",\"prompt\":\"Hello\",\"suffix\":\"Puna!\",\"stream\":false,"
                + "\"context\":[1," + id("▁Count:") + "],\"options\":{\"temperature\":0}}").json();
        assertEquals(List.of(Vocabulary.BOS, id("▁Count:"), Vocabulary.FIM_PREFIX, id("▁Hello"), Vocabulary.FIM_SUFFIX,
                id("▁Puna"), id("!"), Vocabulary.FIM_MIDDLE, id("▁ok")), GenerateEndToEndTest.ints(o.get("context")));
    }

    @Test
    void rawPromptsAreSentAsTheyAreAndTheSuffixIsNotUsedAsInOllama() {
        JsonNode o = generate("{\"model\":\"scripted\",\"prompt\":\"Hello\",\"suffix\":\"Puna!\",\"raw\":true,"
                + "\"stream\":false,\"options\":{\"temperature\":0}}").json();
        assertEquals(TestModels.HELLO_COMPLETION, o.get("response").asText());
        assertEquals(List.of(Vocabulary.BOS, id("▁Hello"), id("▁world"), id("▁from"), id("▁Puna"), id("!")),
                GenerateEndToEndTest.ints(o.get("context")));
    }

    @Test
    void aModelWithoutFimTokensRefusesASuffixRawOrNot() {
        String error = "{\"error\":\"suffix: model 'chat-only' does not support fill-in-the-middle: it has no FIM "
                + "prefix, suffix and middle tokens\"}";
        for (String raw : List.of("false", "true")) {
            Http.Response r = generate("{\"model\":\"chat-only\",\"prompt\":\"Hello\",\"suffix\":\"x\",\"raw\":" + raw + "}");
            assertEquals(400, r.status());
            assertEquals(error, r.body());
        }
    }

    @Test
    void aCodeCompletionPromptGoesThroughTheDefaultTemplateFromTheFimTokens() {
        JsonNode o = generate("{\"model\":\"scripted\",\"prompt\":\"" + CODE_PROMPT + "\",\"stream\":false,"
                + "\"options\":{\"temperature\":0}}").json();
        // prefix "Hello"; the suffix keeps the space after <SUF> (" world"), to which SentencePiece adds one more.
        List<Integer> prompt = tokens(Vocabulary.BOS, Vocabulary.FIM_PREFIX, id("▁Hello"), Vocabulary.FIM_SUFFIX,
                id(Vocabulary.SPACE), id("▁world"), Vocabulary.FIM_MIDDLE);
        assertEquals(text(" world"), List.of(id(Vocabulary.SPACE), id("▁world")));
        assertEquals(tokens(prompt, id("▁ok")), GenerateEndToEndTest.ints(o.get("context")));
        assertEquals(TestModels.FIM_COMPLETION, o.get("response").asText());
        assertEquals(7, o.get("input_tokens").asInt());
        assertEquals(1, o.get("output_tokens").asInt());
        assertEquals(1, o.get("eval_count").asInt());
        assertEquals(Set.of("model", "created_at", "response", "done", "done_reason", "context", "total_duration",
                "load_duration", "prompt_eval_count", "prompt_eval_duration", "eval_count", "eval_duration",
                "input_tokens", "output_tokens"), GenerateEndToEndTest.fields(o));

        // Editor plugins send these prompts raw: the same prompt, streamed; the counts come with the final chunk.
        List<JsonNode> lines = generate("{\"model\":\"scripted\",\"prompt\":\"" + CODE_PROMPT + "\",\"raw\":true,"
                + "\"options\":{\"temperature\":0}}").lines();
        assertEquals(List.of(TestModels.FIM_COMPLETION, ""), lines.stream().map(l -> l.get("response").asText()).toList());
        assertFalse(lines.getFirst().has("input_tokens"));
        assertEquals(7, lines.getLast().get("input_tokens").asInt());
        assertEquals(1, lines.getLast().get("output_tokens").asInt());
    }

    @Test
    void aConfiguredTemplatePlacesThePathAndSpecialTokensByTheirText() {
        JsonNode o = generate("{\"model\":\"coder\",\"prompt\":\"" + CODE_PROMPT + "\",\"stream\":false,"
                + "\"options\":{\"temperature\":0}}").json();
        List<Integer> prompt = tokens(Vocabulary.BOS, Vocabulary.FILE_SEP, text("hello.py\n"), Vocabulary.FIM_PREFIX,
                id("▁Hello"), Vocabulary.FIM_SUFFIX, text(" world"), Vocabulary.FIM_MIDDLE);
        assertEquals(tokens(prompt, id("▁ok")), GenerateEndToEndTest.ints(o.get("context")));
        assertEquals(18, prompt.size());
        assertEquals(18, o.get("input_tokens").asInt());
        assertEquals(TestModels.FIM_COMPLETION, o.get("response").asText());
    }

    @Test
    void aConfiguredTemplateServesAModelWithoutFimTokens() {
        JsonNode o = generate("{\"model\":\"tools\",\"prompt\":\"# Language: Text\\nCount: <SUF> ten <MID>\","
                + "\"stream\":false,\"options\":{\"temperature\":0,\"num_predict\":3}}").json();
        assertEquals(TestModels.countCompletion(3), o.get("response").asText());
        assertEquals(2, o.get("input_tokens").asInt());
        assertEquals(3, o.get("output_tokens").asInt());
        assertEquals("length", o.get("done_reason").asText());
    }

    @Test
    void aModelWithoutFimTokensOrTemplateCannotCompleteCode() {
        Http.Response r = generate("{\"model\":\"chat-only\",\"prompt\":\"" + CODE_PROMPT + "\"}");
        assertEquals(400, r.status());
        assertEquals("{\"error\":\"model 'chat-only' has no fill-in-the-middle tokens and no completion template in "
                + "PUNA_COMPLETION_TEMPLATES: it cannot complete code (<SUF> ... <MID>)\"}", r.body());
    }

    @Test
    void aConfiguredTemplateThatDoesNotFitTheModelIsAServerError() {
        Http.Response r = generate("{\"model\":\"odd\",\"prompt\":\"" + CODE_PROMPT + "\"}");
        assertEquals(500, r.status());
        assertEquals("{\"error\":\"the completion template configured for 'odd' (PUNA_COMPLETION_TEMPLATES) does not "
                + "fit the model: unknown special token {<fim_prefix>}: the model's vocabulary has no token with that "
                + "text\"}", r.body());
    }

    @Test
    void aRequestTemplateTurnsCodeCompletionOff() {
        JsonNode o = generate("{\"model\":\"scripted\",\"prompt\":\"Count: <SUF> x <MID>\",\"template\":\"{{ .Prompt }}\","
                + "\"stream\":false,\"options\":{\"temperature\":0,\"num_predict\":1}}").json();
        assertFalse(o.has("input_tokens"));
        assertTrue(GenerateEndToEndTest.ints(o.get("context")).contains(id("▁Count:")));
        assertFalse(GenerateEndToEndTest.ints(o.get("context")).contains(Vocabulary.FIM_MIDDLE));
    }
}
