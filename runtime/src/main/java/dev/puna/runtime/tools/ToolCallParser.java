package dev.puna.runtime.tools;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Finds tool calls in a model's output, in the model's {@link ToolCallFormat}: whole ({@link #parse}) or while it
 * streams ({@link #stream}). Both give the same result for the same text: {@code parse} runs a stream over it.
 *
 * <p>Give the request's tool names ({@link Builder#toolNames}) where known: a bare JSON object (or array) at the start
 * of a reply then only counts as a call when it names one of them, so a JSON answer with a {@code "name"} field is
 * not mistaken for a call; with {@link ToolCallFormat#HERMES}, bare objects are only considered when names are given.
 *
 * <p>Note that plain-text detokenization (as {@link dev.puna.runtime.Session} streams it) renders control tokens such
 * as Mistral's {@code [TOOL_CALLS]} or Llama's {@code <|python_tag|>} as nothing; each format also accepts its calls
 * without those markers where the model writes them first.
 *
 * <p>Immutable and thread-safe if the random generator is (the default, a {@link SecureRandom}, is); each stream is
 * for one thread.
 */
public final class ToolCallParser {
    private final ToolCallFormat format;
    private final Set<String> toolNames;
    private final RandomGenerator random;

    private ToolCallParser(Builder b) {
        this.format = b.format;
        this.toolNames = Set.copyOf(b.toolNames);
        this.random = b.random == null ? new SecureRandom() : b.random;
    }

    /** A parser for {@code format}, accepting any tool name, with random ids. */
    public static ToolCallParser of(ToolCallFormat format) {
        return builder(format).build();
    }

    /** A builder for a parser of {@code format}. */
    public static Builder builder(ToolCallFormat format) {
        return new Builder(format);
    }

    /** The format this parser reads. */
    public ToolCallFormat format() {
        return format;
    }

    /** Splits a whole reply into content and tool calls. */
    public ParsedOutput parse(String output) {
        ToolCallStream stream = stream();
        List<ToolCallEvent> events = new ArrayList<>(stream.push(output));
        events.addAll(stream.finish());
        StringBuilder content = new StringBuilder();
        List<ParsedToolCall> calls = new ArrayList<>();
        for (ToolCallEvent e : events) {
            if (e instanceof ToolCallEvent.Content c) {
                content.append(c.text());
            } else if (e instanceof ToolCallEvent.CallEnded end) {
                calls.add(end.call());
            }
        }
        return new ParsedOutput(content.toString(), calls);
    }

    /** A new stream for one generation's output. */
    public ToolCallStream stream() {
        return new ToolCallStream(format, toolNames, random);
    }

    /** Configures a {@link ToolCallParser}. Not thread-safe. */
    public static final class Builder {
        private final ToolCallFormat format;
        private final List<String> toolNames = new ArrayList<>();
        private RandomGenerator random;

        private Builder(ToolCallFormat format) {
            this.format = Objects.requireNonNull(format, "format");
        }

        /** The names of the request's tools (see the class documentation). */
        public Builder toolNames(Collection<String> names) {
            toolNames.addAll(names);
            return this;
        }

        /** The source of call ids (default: a {@link SecureRandom}); tests pass a seeded generator. */
        public Builder random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /** The parser. */
        public ToolCallParser build() {
            return new ToolCallParser(this);
        }
    }
}
