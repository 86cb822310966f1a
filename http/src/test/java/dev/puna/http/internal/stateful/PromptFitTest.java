package dev.puna.http.internal.stateful;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.puna.runtime.chat.ChatMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link PromptFit} on a rendering where each message is as many tokens as its content has characters: the fitted
 * conversation comes back with its tokens (what the engine's user-message checkpoints are worked out from).
 */
class PromptFitTest {
    private static int[] render(List<ChatMessage> messages) {
        return new int[messages.stream().mapToInt(m -> m.content().length()).sum()];
    }

    private static final List<ChatMessage> CONVERSATION = List.of(ChatMessage.system("ssss"), ChatMessage.user("aaaa"),
            ChatMessage.assistant("bbbb"), ChatMessage.user("cccc"));

    @Test
    void aConversationThatFitsComesBackWhole() {
        PromptFit.Fitted f = PromptFit.fit(CONVERSATION, Truncation.auto(), 100, -1, PromptFitTest::render);
        assertEquals(CONVERSATION, f.messages());
        assertEquals(16, f.tokens().length);
        assertEquals(0, f.dropped());
    }

    @Test
    void theOldestMessagesGoAndTheInstructionsStay() {
        PromptFit.Fitted f = PromptFit.fit(CONVERSATION, Truncation.auto(), 12, -1, PromptFitTest::render);
        assertEquals(List.of(CONVERSATION.get(0), CONVERSATION.get(2), CONVERSATION.get(3)), f.messages());
        assertEquals(12, f.tokens().length);
        assertEquals(1, f.dropped());
        PromptFit.Fitted last = PromptFit.fit(CONVERSATION, Truncation.auto(), 5, -1, PromptFitTest::render);
        assertEquals(List.of(CONVERSATION.get(0), CONVERSATION.get(3)), last.messages());
        assertEquals(2, last.dropped());
    }
}
