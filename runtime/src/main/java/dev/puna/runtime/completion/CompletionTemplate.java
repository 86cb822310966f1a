package dev.puna.runtime.completion;

import dev.puna.runtime.Model;
import dev.puna.runtime.SpecialTokens;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A per-model code-completion template (CodeInferflow's format): literal text and placeholders in braces, rendered
 * into prompt token ids.
 *
 * <table>
 *   <caption>Placeholders</caption>
 *   <tr><th>placeholder</th><th>becomes</th></tr>
 *   <tr><td>{@code {code_language}}, {@code {code_file_path}}, {@code {code_prefix}}, {@code {code_suffix}},
 *       {@code {query}}</td><td>the parts of the {@link CodeCompletionPrompt}, as text</td></tr>
 *   <tr><td>{@code {<fim_prefix>}}, {@code {[SUFFIX]}}, ...</td><td>the special token with that text (braces around a
 *       text starting with {@code <} or {@code [}), looked up in the model's vocabulary</td></tr>
 *   <tr><td>{@code {#64790}}</td><td>the token with that id</td></tr>
 *   <tr><td>{@code {bos}}, {@code {eos}}</td><td>the model's BOS / EOS token</td></tr>
 *   <tr><td>{@code {\n}}, {@code {\t}}</td><td>a newline / tab, as text</td></tr>
 *   <tr><td>{@code {{}, {@code }}}</td><td>a literal brace</td></tr>
 * </table>
 *
 * <p>Text (literal text and placeholder values together, each stretch between tokens) is tokenized without parsing
 * special tokens, so code that contains the text {@code <fim_prefix>} stays text and cannot inject a control token;
 * special tokens enter the sequence only by id, from the template. Nothing is added implicitly: write {@code {bos}}
 * where the model wants BOS. (SentencePiece vocabularies prepend a space to each stretch of text, as llama.cpp does
 * for text after a special token.)
 *
 * <p>Example: {@code {<fim_prefix>}{code_prefix}{<fim_suffix>}{code_suffix}{<fim_middle>}}.
 *
 * <p>Unknown placeholders are refused when the template is {@linkplain #parse parsed}, unknown special tokens and
 * token ids when it is {@linkplain #render rendered} for a model; both as {@link CompletionTemplateException}s
 * naming the placeholder. Immutable and thread-safe.
 */
public final class CompletionTemplate {
    private sealed interface Part {
    }

    private record Text(String text) implements Part {
    }

    private record Field(String name) implements Part {
    }

    private record TokenText(String text) implements Part {
    }

    private record TokenId(int id, String written) implements Part {
    }

    private record Special(String name) implements Part {
    }

    private static final List<String> FIELDS = List.of("code_language", "code_file_path", "code_prefix", "code_suffix",
            "query");

    private final String source;
    private final List<Part> parts;

    private CompletionTemplate(String source, List<Part> parts) {
        this.source = source;
        this.parts = List.copyOf(parts);
    }

    /**
     * Parses a template.
     *
     * @throws CompletionTemplateException for an unclosed brace or an unknown placeholder, naming it
     */
    public static CompletionTemplate parse(String template) {
        Objects.requireNonNull(template, "template");
        List<Part> parts = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if (c == '{' && template.startsWith("{{", i)) {
                text.append('{');
                i += 2;
            } else if (c == '}') {
                text.append('}');
                i += template.startsWith("}}", i) ? 2 : 1;
            } else if (c == '{') {
                int close = template.indexOf('}', i + 1);
                if (close < 0) {
                    throw new CompletionTemplateException("", "unclosed '{' at offset " + i + " of the template");
                }
                String placeholder = template.substring(i + 1, close);
                Part part = placeholder(placeholder);
                if (part instanceof Text t) {
                    text.append(t.text());
                } else {
                    flush(parts, text);
                    parts.add(part);
                }
                i = close + 1;
            } else {
                text.append(c);
                i++;
            }
        }
        flush(parts, text);
        return new CompletionTemplate(template, parts);
    }

    private static Part placeholder(String p) {
        if (FIELDS.contains(p)) {
            return new Field(p);
        }
        switch (p) {
            case "bos", "eos" -> {
                return new Special(p);
            }
            case "\\n" -> {
                return new Text("\n");
            }
            case "\\t" -> {
                return new Text("\t");
            }
            default -> {
            }
        }
        if (p.matches("#[0-9]{1,9}")) {
            return new TokenId(Integer.parseInt(p.substring(1)), p);
        }
        if (p.startsWith("<") || p.startsWith("[")) {
            return new TokenText(p);
        }
        throw new CompletionTemplateException(p, "unknown placeholder {" + p + "}: use one of {code_language}, "
                + "{code_file_path}, {code_prefix}, {code_suffix}, {query}, {bos}, {eos}, {\\n}, {\\t}, {#<token id>} "
                + "or {<special token text>}");
    }

    private static void flush(List<Part> parts, StringBuilder text) {
        if (!text.isEmpty()) {
            parts.add(new Text(text.toString()));
            text.setLength(0);
        }
    }

    /**
     * The default template for a model with fill-in-the-middle tokens: its BOS if its tokenizer adds one, then
     * prefix marker, {@code {code_prefix}}, suffix marker, {@code {code_suffix}}, middle marker (llama.cpp's infill
     * order), by id. For example {@code {bos}{#5}{code_prefix}{#6}{code_suffix}{#7}}.
     *
     * @throws FimUnsupportedException (parameter {@code template}) if the model has no FIM tokens
     */
    public static CompletionTemplate defaultFor(Model model) {
        return defaultFor(model.specialTokens(), model.info().name(), "template");
    }

    /**
     * The default template for these special tokens (see {@link #defaultFor(Model)}).
     *
     * @param model the model's name, for the error message
     * @param parameter the request parameter to blame when there are no FIM tokens
     */
    public static CompletionTemplate defaultFor(SpecialTokens specials, String model, String parameter) {
        if (!specials.supportsFim()) {
            throw new FimUnsupportedException(parameter, model);
        }
        String bos = specials.addBos() && specials.bos() != SpecialTokens.NONE ? "{bos}" : "";
        return parse(bos + "{#" + specials.fimPrefix() + "}{code_prefix}{#" + specials.fimSuffix() + "}{code_suffix}{#"
                + specials.fimMiddle() + "}");
    }

    /** The template text this was parsed from. */
    public String source() {
        return source;
    }

    /**
     * Renders the prompt tokens for {@code prompt} with {@code model}'s vocabulary.
     *
     * @throws CompletionTemplateException for a special token the vocabulary lacks, a token id outside it, or
     *     {@code {bos}}/{@code {eos}} on a model without one, naming the placeholder
     */
    public int[] render(Model model, CodeCompletionPrompt prompt) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(prompt, "prompt");
        IntList out = new IntList();
        StringBuilder text = new StringBuilder();
        for (Part part : parts) {
            switch (part) {
                case Text t -> text.append(t.text());
                case Field f -> text.append(value(f.name(), prompt));
                case TokenText t -> {
                    tokenize(model, text, out);
                    out.add(specialToken(model, t.text()));
                }
                case TokenId t -> {
                    tokenize(model, text, out);
                    if (t.id() >= model.vocabSize()) {
                        throw new CompletionTemplateException(t.written(), "token id " + t.id()
                                + " in {" + t.written() + "} is outside the vocabulary (0.." + (model.vocabSize() - 1) + ")");
                    }
                    out.add(t.id());
                }
                case Special s -> {
                    tokenize(model, text, out);
                    SpecialTokens specials = model.specialTokens();
                    int id = s.name().equals("bos") ? specials.bos() : specials.eos();
                    if (id == SpecialTokens.NONE) {
                        throw new CompletionTemplateException(s.name(), "the model has no " + s.name() + " token");
                    }
                    out.add(id);
                }
            }
        }
        tokenize(model, text, out);
        return out.toArray();
    }

    private static String value(String field, CodeCompletionPrompt prompt) {
        return switch (field) {
            case "code_language" -> prompt.language();
            case "code_file_path" -> prompt.filePath();
            case "code_prefix" -> prompt.prefix();
            case "code_suffix" -> prompt.suffix();
            default -> prompt.query();
        };
    }

    /** Tokenizes the pending text as plain text (never as special tokens) and clears it. */
    private static void tokenize(Model model, StringBuilder text, IntList out) {
        if (!text.isEmpty()) {
            out.addAll(model.tokenize(text.toString(), false, false));
            text.setLength(0);
        }
    }

    /** The one token whose text is {@code text}, found as llama.cpp finds grammar tokens: tokenizing with specials. */
    private static int specialToken(Model model, String text) {
        int[] tokens = model.tokenize(text, false, true);
        if (tokens.length == 1 && text.equals(new String(model.tokenBytes(tokens[0], true), StandardCharsets.UTF_8))) {
            return tokens[0];
        }
        throw new CompletionTemplateException(text, "unknown special token {" + text + "}: the model's vocabulary has "
                + "no token with that text");
    }

    @Override
    public String toString() {
        return "CompletionTemplate[" + source + "]";
    }

    /** A growable int array. */
    private static final class IntList {
        private int[] values = new int[32];
        private int size;

        void add(int value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        void addAll(int[] more) {
            for (int v : more) {
                add(v);
            }
        }

        int[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
