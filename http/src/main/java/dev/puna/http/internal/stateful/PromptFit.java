package dev.puna.http.internal.stateful;

import dev.puna.http.internal.ApiException;
import dev.puna.runtime.chat.ChatMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Cuts a conversation down to what fits, as OpenAI's truncation strategies say: the leading system messages (the
 * instructions) always stay; {@code last_messages} keeps only the newest messages after them; then, unless truncation
 * is disabled, the oldest messages go one by one (a tool result never opens the conversation without its call) until
 * the rendered prompt fits. Nothing is dropped from a conversation that fits, so a thread's next turn keeps the
 * previous turn's prompt as its prefix. Pure; the rendering is the caller's.
 */
final class PromptFit {
    private PromptFit() {
    }

    /**
     * The fitted conversation and its tokens.
     *
     * @param messages what is left of the conversation, as rendered into {@code tokens}
     * @param overBudget whether even the newest message alone exceeds {@code maxPromptTokens} (the turn ends without
     *     generating)
     */
    record Fitted(List<ChatMessage> messages, int[] tokens, int dropped, boolean overBudget) {
    }

    /**
     * Fits {@code messages}.
     *
     * @param budget tokens the prompt may take in the context
     * @param maxPromptTokens the caller's own budget, or -1
     * @param render the prompt tokens of a conversation
     * @throws ApiException 400 when truncation is disabled and the prompt does not fit the context
     */
    static Fitted fit(List<ChatMessage> messages, Truncation truncation, int budget, int maxPromptTokens,
                      Function<List<ChatMessage>, int[]> render) {
        int head = 0;
        while (head < messages.size() - 1 && messages.get(head).role().equals("system")) {
            head++;
        }
        List<ChatMessage> system = messages.subList(0, head);
        List<ChatMessage> rest = messages.subList(head, messages.size());
        if (truncation instanceof Truncation.LastMessages(int count) && rest.size() > count) {
            rest = startClean(rest, rest.size() - count);
        }
        int limit = maxPromptTokens > 0 ? Math.min(budget, maxPromptTokens) : budget;
        List<ChatMessage> all = join(system, rest);
        int[] whole = render.apply(all);
        if (whole.length <= limit) {
            return new Fitted(all, whole, messages.size() - head - rest.size(), false);
        }
        if (truncation instanceof Truncation.Disabled) {
            if (maxPromptTokens > 0 && whole.length > maxPromptTokens) {
                return new Fitted(all, whole, 0, true);
            }
            throw ApiException.badParameter("input", "the input is " + whole.length + " tokens, more than the "
                    + budget + " that fit in the model's context, and truncation is disabled");
        }
        // Binary search for the fewest dropped messages that fit; at least the newest message stays.
        int lo = 1;
        int hi = rest.size() - 1;
        int[] best = null;
        List<ChatMessage> bestKept = null;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            List<ChatMessage> kept = join(system, startClean(rest, mid));
            int[] t = render.apply(kept);
            if (t.length <= limit) {
                best = t;
                bestKept = kept;
                hi = mid - 1;
            } else {
                lo = mid + 1;
            }
        }
        if (best != null) {
            return new Fitted(bestKept, best, messages.size() - bestKept.size(), false);
        }
        List<ChatMessage> last = join(system, startClean(rest, rest.size() - 1));
        int[] t = render.apply(last);
        boolean over = maxPromptTokens > 0 && t.length > maxPromptTokens;
        // Over the context only: the engine keeps num_keep tokens and the newest rest of it.
        return new Fitted(last, t, messages.size() - last.size(), over);
    }

    /** {@code rest} without its first {@code drop} messages, nor the tool results that would then open it. */
    private static List<ChatMessage> startClean(List<ChatMessage> rest, int drop) {
        int from = Math.min(drop, rest.size() - 1);
        while (from < rest.size() - 1 && rest.get(from).role().equals("tool")) {
            from++;
        }
        return rest.subList(from, rest.size());
    }

    private static List<ChatMessage> join(List<ChatMessage> a, List<ChatMessage> b) {
        List<ChatMessage> out = new ArrayList<>(a.size() + b.size());
        out.addAll(a);
        out.addAll(b);
        return out;
    }
}
