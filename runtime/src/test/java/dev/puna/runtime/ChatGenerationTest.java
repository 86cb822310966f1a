package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.runtime.chat.ChatMessage;
import dev.puna.runtime.chat.ChatPrompt;
import dev.puna.runtime.chat.ChatRequest;
import dev.puna.runtime.internal.NativeChatTemplates;
import dev.puna.testkit.TestModels;
import dev.puna.testkit.Vocabulary;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The model's own chat template drives a real generation; BOS is added once. */
class ChatGenerationTest {
    private static Model model;

    @BeforeAll
    static void load() {
        model = Model.load(Models.scripted());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void rendersTheGgufTemplateAndGeneratesTheScriptedReply() {
        ChatPrompt p = model.renderChat(ChatRequest.of(List.of(ChatMessage.user("Hello"))));
        assertEquals("<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n", p.text());
        assertTrue(p.addBos());
        try (Session s = model.newSession(Models.session())) {
            GenerationResult r = s.generate(GenerateRequest.builder().prompt(p.text()).addSpecial(p.addBos())
                    .sampling(SamplingParams.greedy()).build());
            assertEquals(TestModels.CHAT_COMPLETION, r.text());
            assertEquals(FinishReason.EOS, r.finishReason());
            int[] prompt = model.tokenize(p.text(), p.addBos(), true);
            assertEquals(Vocabulary.BOS, prompt[0]);
            assertEquals(Vocabulary.IM_START, prompt[1]);
        }
    }

    @Test
    void aTemplateThatWritesBosDoesNotGetASecondOne() {
        ChatPrompt p = new ChatPrompt("<s>" + "hi", false);
        int[] tokens = model.tokenize(p.text(), p.addBos(), true);
        assertEquals(Vocabulary.BOS, tokens[0]);
        assertFalse(tokens[1] == Vocabulary.BOS);
        assertFalse(model.renderChat(ChatRequest.builder(List.of(ChatMessage.user("x"))).build()).text().startsWith("<s><s>"));
    }

    @Test
    void llamaCppBuiltinFormatsAreTheFallback() {
        List<ChatMessage> chat = List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hello"));
        assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n",
                NativeChatTemplates.INSTANCE.render("chatml", chat, true).orElseThrow());
        assertEquals(List.of(), NativeChatTemplates.INSTANCE.render("no such format {{ x }}", chat, true).stream().toList());
    }
}
