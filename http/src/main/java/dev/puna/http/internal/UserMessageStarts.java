package dev.puna.http.internal;

import dev.puna.runtime.Engine;
import dev.puna.runtime.GenerateRequest;
import dev.puna.runtime.PunaException;
import dev.puna.runtime.chat.ChatMessage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Where a chat prompt's user messages start, in tokens (the first, the last, and in a long conversation those
 * {@link GenerateRequest#CHECKPOINT_STEP} tokens apart), for the engine's checkpoints
 * ({@link GenerateRequest.Builder#userMessageStarts}): llama-server finds them from message
 * delimiters it infers from the template; Puna renders the conversation through that message with the message's text
 * left out, and takes what those tokens share with the whole prompt's. Whatever the template does around the message
 * (a role header, a system prompt folded into the first user turn as Gemma's does), that point is where the
 * message's text begins or before it, so a pause there always lies before what an edit of the message changes.
 * Worked out only for an engine that keeps checkpoints ({@link Engine#keepsCheckpoints}): each start costs a render
 * and a tokenization of the conversation up to it.
 */
public final class UserMessageStarts {
    private static final Logger LOG = LogManager.getLogger(UserMessageStarts.class);
    private static final int[] NONE = {};

    private UserMessageStarts() {
    }

    /**
     * The starts, ascending (empty when the engine keeps no checkpoints or nothing comes before the user messages).
     *
     * @param messages the conversation exactly as {@code render} renders it into {@code tokens}
     * @param tokens the whole prompt's tokens
     * @param render the prompt tokens of a conversation, as the route renders them
     */
    public static int[] of(Engine engine, List<ChatMessage> messages, int[] tokens,
                           Function<List<ChatMessage>, int[]> render) {
        return engine.keepsCheckpoints() ? find(messages, tokens, render) : NONE;
    }

    /** {@link #of} for an engine that keeps checkpoints. */
    static int[] find(List<ChatMessage> messages, int[] tokens, Function<List<ChatMessage>, int[]> render) {
        int first = -1;
        int last = -1;
        for (int i = 0; i < messages.size(); i++) {
            if (messages.get(i).role().equals("user")) {
                first = first < 0 ? i : first;
                last = i;
            }
        }
        if (last <= 0) {
            return NONE;
        }
        List<Integer> starts = new ArrayList<>();
        int previous = 0;
        if (first > 0 && first < last) {
            previous = start(messages, first, tokens, render);
            starts.add(previous);
            starts.addAll(between(messages, first, last, previous, tokens, render));
        }
        starts.add(start(messages, last, tokens, render));
        return starts.stream().mapToInt(Integer::intValue).filter(s -> s > 0).toArray();
    }

    /**
     * The starts of the user messages between {@code first} and {@code last} that the engine pauses at, each at least
     * {@link GenerateRequest#CHECKPOINT_STEP} tokens past the one before ({@code previous}: the first's): a long
     * conversation edited further back than its last message continues from the nearest. Which messages to render
     * for is estimated from their text's share of the prompt (a render per candidate), so a conversation shorter than
     * the step costs nothing more.
     */
    private static List<Integer> between(List<ChatMessage> messages, int first, int last, int previous, int[] tokens,
                                         Function<List<ChatMessage>, int[]> render) {
        List<Integer> out = new ArrayList<>();
        if (tokens.length - previous <= GenerateRequest.CHECKPOINT_STEP) {
            return out;
        }
        long[] before = new long[messages.size() + 1];
        for (int i = 0; i < messages.size(); i++) {
            String text = messages.get(i).content();
            before[i + 1] = before[i] + 1 + (text == null ? 0 : text.length());
        }
        double perChar = (double) tokens.length / before[messages.size()];
        // Estimates can be a little early: a candidate that falls short of the step costs a render, nothing else.
        int slack = GenerateRequest.CHECKPOINT_STEP / 8;
        int renders = tokens.length / GenerateRequest.CHECKPOINT_STEP + 2;
        for (int i = first + 1; i < last && renders > 0; i++) {
            if (messages.get(i).role().equals("user")
                    && before[i] * perChar >= previous + GenerateRequest.CHECKPOINT_STEP - slack) {
                renders--;
                int at = start(messages, i, tokens, render);
                if (at >= previous + GenerateRequest.CHECKPOINT_STEP) {
                    out.add(at);
                    previous = at;
                }
            }
        }
        return out;
    }

    /**
     * How many of {@code tokens} the conversation through message {@code index}, that message's text left out,
     * shares with the whole prompt; 0 for none.
     */
    private static int start(List<ChatMessage> messages, int index, int[] tokens,
                             Function<List<ChatMessage>, int[]> render) {
        ChatMessage m = messages.get(index);
        List<ChatMessage> through = new ArrayList<>(messages.subList(0, index));
        through.add(new ChatMessage(m.role(), "", m.toolCalls(), m.toolName(), m.toolCallId(), m.thinking()));
        int[] before;
        try {
            before = render.apply(through);
        } catch (PunaException | ApiException e) {
            // A template that will not render that (one that refuses an empty message, say) costs the checkpoint only.
            LOG.debug("no checkpoint at user message {}: {}", index, e.getMessage());
            return 0;
        }
        int n = Math.min(before.length, tokens.length);
        int common = 0;
        while (common < n && before[common] == tokens[common]) {
            common++;
        }
        return common;
    }
}
