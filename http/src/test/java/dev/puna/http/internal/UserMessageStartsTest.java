package dev.puna.http.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.runtime.GenerateRequest;
import dev.puna.runtime.chat.ChatMessage;
import dev.puna.runtime.chat.ChatTemplateException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@link UserMessageStarts#find} on templates written here, one token per character: the start is where the
 * message's text begins, whatever the template puts around it.
 */
class UserMessageStartsTest {
    private static final List<ChatMessage> CHAT = List.of(ChatMessage.system("SYS"), ChatMessage.user("hello"),
            ChatMessage.assistant("hi"), ChatMessage.user("again"));

    private static int[] chars(String text) {
        return text.chars().toArray();
    }

    /** ChatML-like: every message in its own turn, then the generation prompt. */
    private static int[] chatml(List<ChatMessage> messages) {
        StringBuilder b = new StringBuilder();
        messages.forEach(m -> b.append('<').append(m.role()).append('>').append(m.content()).append("</>"));
        return chars(b.append("<assistant>").toString());
    }

    /** Gemma-like: the system prompt goes into the first user turn, there is no system turn. */
    private static int[] gemma(List<ChatMessage> messages) {
        StringBuilder b = new StringBuilder("^");
        String system = messages.getFirst().role().equals("system") ? messages.getFirst().content() + "\n\n" : "";
        boolean first = true;
        for (ChatMessage m : messages.subList(system.isEmpty() ? 0 : 1, messages.size())) {
            b.append(m.role().equals("user") ? "<u>" : "<m>").append(first ? system : "").append(m.content())
                    .append("<e>");
            first = false;
        }
        return chars(b.append("<m>").toString());
    }

    private static int[] find(Function<List<ChatMessage>, int[]> template) {
        return UserMessageStarts.find(CHAT, template.apply(CHAT), template);
    }

    @Test
    void theFirstAndLastUserMessagesStartAfterTheirRoleHeaders() {
        String whole = "<system>SYS</><user>hello</><assistant>hi</><user>again</><assistant>";
        assertArrayEquals(new int[] {whole.indexOf("hello"), whole.indexOf("again")},
                find(UserMessageStartsTest::chatml));
    }

    @Test
    void aSystemPromptFoldedIntoTheFirstUserTurnComesBeforeTheFirstStart() {
        String whole = "^<u>SYS\n\nhello<e><m>hi<e><u>again<e><m>";
        assertArrayEquals(new int[] {whole.indexOf("hello"), whole.indexOf("again")},
                find(UserMessageStartsTest::gemma));
    }

    @Test
    void oneUserMessageAfterTheSystemPromptIsBothFirstAndLast() {
        List<ChatMessage> chat = List.of(ChatMessage.system("SYS"), ChatMessage.user("hello"));
        assertArrayEquals(new int[] {"<system>SYS</><user>".length()},
                UserMessageStarts.find(chat, chatml(chat), UserMessageStartsTest::chatml));
        List<ChatMessage> alone = List.of(ChatMessage.user("hello"));
        assertArrayEquals(new int[0], UserMessageStarts.find(alone, chatml(alone), UserMessageStartsTest::chatml));
    }

    /**
     * A conversation of 40 messages of 1000 to 1390 characters: besides the first and the last, the user messages
     * at least 8192 tokens past the previous start, exactly the ones a walk over every message's start picks, found
     * with a render per pick (the estimate from the messages' lengths lands on the right ones).
     */
    @Test
    void aLongConversationAlsoStartsAtUserMessagesEightThousandTokensApart() {
        List<ChatMessage> chat = new ArrayList<>(List.of(ChatMessage.system("SYS")));
        for (int i = 0; i < 20; i++) {
            chat.add(ChatMessage.user(String.valueOf((char) ('a' + i)).repeat(1000 + 37 * (i % 11))));
            chat.add(ChatMessage.assistant(String.valueOf((char) ('A' + i)).repeat(1000 + 53 * (i % 7))));
        }
        int[] whole = chatml(chat);
        int[] renders = new int[1];
        int[] starts = UserMessageStarts.find(chat, whole, m -> {
            renders[0]++;
            return chatml(m);
        });
        // Every user message's start, where its text begins, and the walk llama-server's rule makes over them.
        List<Integer> every = new ArrayList<>();
        String text = new String(whole, 0, whole.length);
        int from = 0;
        for (ChatMessage m : chat) {
            from = text.indexOf(m.content(), from);
            if (m.role().equals("user")) {
                every.add(from);
            }
            from += m.content().length();
        }
        List<Integer> expected = new ArrayList<>(List.of(every.getFirst()));
        for (int at : every.subList(1, every.size() - 1)) {
            if (at >= expected.getLast() + GenerateRequest.CHECKPOINT_STEP) {
                expected.add(at);
            }
        }
        expected.add(every.getLast());
        assertArrayEquals(expected.stream().mapToInt(Integer::intValue).toArray(), starts);
        // The first, the last and one per pick, besides a few candidates that fall short.
        assertTrue(renders[0] <= expected.size() + 2, renders[0] + " renders");
        assertTrue(expected.size() >= 5, expected.toString());
    }

    @Test
    void aTemplateThatRefusesAnEmptyMessageCostsTheStartOnly() {
        Function<List<ChatMessage>, int[]> strict = m -> {
            if (m.stream().anyMatch(x -> x.content().isEmpty())) {
                throw new ChatTemplateException("empty message");
            }
            return chatml(m);
        };
        assertArrayEquals(new int[0], find(strict));
    }
}
