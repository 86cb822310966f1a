package dev.puna.http.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.puna.runtime.chat.ChatMessage;
import dev.puna.runtime.chat.ChatTemplateException;
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
