package dev.puna.http.internal.output;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Splits a reasoning model's output into its reasoning and its answer, as Ollama's {@code thinking.Parser} does:
 * the output may begin (after white space) with the opening tag; what follows up to the closing tag is the
 * reasoning, what follows that (leading white space dropped) the answer. Output that does not begin with the
 * opening tag is all answer. When the prompt already ends with the opening tag (templates that open the block for
 * the model), the output starts inside the reasoning.
 *
 * <p>Streaming: feed text to {@link #push} in order and call {@link #finish} once; text that might be the start of
 * a tag is held back until it is certain. For one generation; not thread-safe.
 */
public final class ThinkingSplitter {
    /** A piece of output: reasoning ({@code thinking}) or answer. */
    public record Piece(boolean thinking, String text) {
    }

    /** A whole output, split. */
    public record Split(String thinking, String content) {
    }

    private enum State { LOOKING_FOR_OPEN, EATING_SPACE_AFTER_OPEN, THINKING, EATING_SPACE_AFTER_CLOSE, DONE }

    private final String open;
    private final String close;
    private final StringBuilder pending = new StringBuilder();
    private State state;

    /**
     * @param open the opening tag, e.g. {@code <think>}
     * @param close the closing tag, e.g. {@code </think>}
     * @param startInside whether the prompt ended with the opening tag
     */
    public ThinkingSplitter(String open, String close, boolean startInside) {
        this.open = Objects.requireNonNull(open, "open");
        this.close = Objects.requireNonNull(close, "close");
        if (open.isEmpty() || close.isEmpty()) {
            throw new IllegalArgumentException("thinking tags must not be empty");
        }
        this.state = startInside ? State.EATING_SPACE_AFTER_OPEN : State.LOOKING_FOR_OPEN;
    }

    /** Splits a whole output. */
    public Split split(String text) {
        StringBuilder thinking = new StringBuilder();
        StringBuilder content = new StringBuilder();
        List<Piece> pieces = new ArrayList<>(push(text));
        pieces.addAll(finish());
        for (Piece p : pieces) {
            (p.thinking() ? thinking : content).append(p.text());
        }
        return new Split(thinking.toString(), content.toString());
    }

    /** The pieces the next text makes certain, in order. */
    public List<Piece> push(String text) {
        pending.append(text);
        List<Piece> out = new ArrayList<>(2);
        boolean progress = true;
        while (progress && !pending.isEmpty()) {
            progress = step(out);
        }
        return out;
    }

    /** Whatever is held back, as it stands: an unclosed reasoning block is reasoning, anything else answer. */
    public List<Piece> finish() {
        List<Piece> out = new ArrayList<>(1);
        String rest = pending.toString();
        pending.setLength(0);
        switch (state) {
            case THINKING -> {
                String t = stripTrailing(rest);
                if (!t.isEmpty()) {
                    out.add(new Piece(true, t));
                }
            }
            case LOOKING_FOR_OPEN, DONE -> {
                if (!rest.isEmpty()) {
                    out.add(new Piece(false, rest));
                }
            }
            default -> {
                // only white space was held back
            }
        }
        state = State.DONE;
        return out;
    }

    /** One transition; false when it must wait for more text. */
    private boolean step(List<Piece> out) {
        String s = pending.toString();
        switch (state) {
            case LOOKING_FOR_OPEN -> {
                String trimmed = stripLeading(s);
                if (trimmed.startsWith(open)) {
                    pending.setLength(0);
                    pending.append(trimmed.substring(open.length()));
                    state = State.EATING_SPACE_AFTER_OPEN;
                    return true;
                }
                if (open.startsWith(trimmed)) {
                    return false; // white space or a part of the tag so far
                }
                state = State.DONE;
                return true;
            }
            case EATING_SPACE_AFTER_OPEN -> {
                String trimmed = stripLeading(s);
                pending.setLength(0);
                pending.append(trimmed);
                if (trimmed.isEmpty()) {
                    return false;
                }
                state = State.THINKING;
                return true;
            }
            case THINKING -> {
                int at = s.indexOf(close);
                if (at >= 0) {
                    String thinking = stripTrailing(s.substring(0, at));
                    if (!thinking.isEmpty()) {
                        out.add(new Piece(true, thinking));
                    }
                    pending.setLength(0);
                    pending.append(s.substring(at + close.length()));
                    state = State.EATING_SPACE_AFTER_CLOSE;
                    return true;
                }
                // Release all but what could still be the closing tag or white space before it.
                int keep = overlap(s, close);
                int release = s.length() - keep;
                while (release > 0 && isSpace(s.charAt(release - 1))) {
                    release--;
                }
                if (release > 0) {
                    out.add(new Piece(true, s.substring(0, release)));
                    pending.delete(0, release);
                }
                return false;
            }
            case EATING_SPACE_AFTER_CLOSE -> {
                String trimmed = stripLeading(s);
                pending.setLength(0);
                pending.append(trimmed);
                if (trimmed.isEmpty()) {
                    return false;
                }
                state = State.DONE;
                return true;
            }
            case DONE -> {
                out.add(new Piece(false, s));
                pending.setLength(0);
                return false;
            }
        }
        return false;
    }

    /** The length of the longest suffix of {@code s} that is a proper prefix of {@code tag}. */
    private static int overlap(String s, String tag) {
        for (int n = Math.min(s.length(), tag.length() - 1); n > 0; n--) {
            if (s.endsWith(tag.substring(0, n))) {
                return n;
            }
        }
        return 0;
    }

    private static boolean isSpace(char c) {
        return Character.isWhitespace(c);
    }

    private static String stripLeading(String s) {
        int i = 0;
        while (i < s.length() && isSpace(s.charAt(i))) {
            i++;
        }
        return s.substring(i);
    }

    private static String stripTrailing(String s) {
        int i = s.length();
        while (i > 0 && isSpace(s.charAt(i - 1))) {
            i--;
        }
        return s.substring(0, i);
    }
}
