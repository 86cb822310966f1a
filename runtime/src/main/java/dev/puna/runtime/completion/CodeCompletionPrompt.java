package dev.puna.runtime.completion;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A code-completion request in the CodeInferflow format that editor plugins such as Llama Coder send to
 * {@code /api/generate}, split into the parts a {@link CompletionTemplate} places:
 *
 * <pre>
 * # Language: Python
 * # Path: ~/code/sort.py
 * def quicksort( &lt;SUF&gt; ) &lt;MID&gt;
 * </pre>
 *
 * <p>Parsing rules ({@link #parse}):
 * <ol>
 *   <li>A leading {@code <PRE>} marker and one space after it (CodeLlama's infill format, as Llama Coder writes it)
 *       are removed.</li>
 *   <li>Header lines at the start are read while they look like {@code <comment> Language: <value>} or
 *       {@code <comment> Path: <value>}, where the comment opener is one to four punctuation characters ({@code #},
 *       {@code //}, {@code --}, {@code ;}, {@code <!--}, ...) and a block-comment closer at the end ({@code *}{@code /},
 *       {@code -->}, {@code -}{@code }}, {@code *)}) is dropped; each header at most once, in either order. Values are
 *       trimmed; a missing header gives {@code ""}.</li>
 *   <li>The last {@code <MID>} must end the prompt (only whitespace may follow); the last {@code <SUF>} before it
 *       splits the code: the prefix is what comes before {@code <SUF>}, the suffix what lies between the markers,
 *       each without the one space that separates it from the following marker ({@code prefix <SUF>suffix <MID>}).
 *       The last {@code <SUF>} wins because the prefix, usually the larger part of a file, is the likelier one to
 *       contain the text {@code <SUF>} itself.</li>
 *   <li>Without {@code <SUF>} followed by a final {@code <MID>} the prompt is not a code-completion prompt:
 *       {@link #parse} returns empty and the prompt should be used as it is, headers and all.</li>
 * </ol>
 *
 * @param language the {@code Language:} header's value, or {@code ""}
 * @param filePath the {@code Path:} header's value, or {@code ""}
 * @param prefix the code before the cursor
 * @param suffix the code after the cursor
 * @param query the whole prompt as sent
 */
public record CodeCompletionPrompt(String language, String filePath, String prefix, String suffix, String query) {
    private static final String PRE = "<PRE>";
    private static final String SUF = "<SUF>";
    private static final String MID = "<MID>";
    private static final Pattern HEADER = Pattern.compile(
            "[ \\t]*[\\p{Punct}&&[^\\w]]{1,4}[ \\t]*(Language|Path):[ \\t]*(.*?)[ \\t]*(?:\\*/|-->|-}|\\*\\))?[ \\t]*");

    /** Validates. */
    public CodeCompletionPrompt {
        Objects.requireNonNull(language, "language");
        Objects.requireNonNull(filePath, "filePath");
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(suffix, "suffix");
        Objects.requireNonNull(query, "query");
    }

    /**
     * Plain fill-in-the-middle: a prefix and a suffix, no headers (Ollama's {@code prompt} and {@code suffix}).
     * {@link #query()} is the prefix.
     */
    public static CodeCompletionPrompt of(String prefix, String suffix) {
        return new CodeCompletionPrompt("", "", prefix, suffix, prefix);
    }

    /** Parses a prompt by the rules in the class documentation; empty if it is not a code-completion prompt. */
    public static Optional<CodeCompletionPrompt> parse(String prompt) {
        Objects.requireNonNull(prompt, "prompt");
        int mid = prompt.lastIndexOf(MID);
        if (mid < 0 || !prompt.substring(mid + MID.length()).isBlank()) {
            return Optional.empty();
        }
        int suf = prompt.lastIndexOf(SUF, mid - SUF.length());
        if (suf < 0) {
            return Optional.empty();
        }
        String code = prompt.substring(0, mid);
        int start = 0;
        if (code.startsWith(PRE)) {
            start = PRE.length() + (code.startsWith(PRE + " ") ? 1 : 0);
        }
        String language = null;
        String path = null;
        while (start < suf) {
            int lineEnd = code.indexOf('\n', start);
            if (lineEnd < 0 || lineEnd > suf) {
                break;
            }
            Matcher m = HEADER.matcher(code.substring(start, lineEnd));
            if (!m.matches()) {
                break;
            }
            if (m.group(1).equals("Language") && language == null) {
                language = m.group(2);
            } else if (m.group(1).equals("Path") && path == null) {
                path = m.group(2);
            } else {
                break; // a header seen twice is code
            }
            start = lineEnd + 1;
        }
        String prefix = withoutTrailingSpace(code.substring(start, suf));
        String suffix = withoutTrailingSpace(code.substring(suf + SUF.length()));
        return Optional.of(new CodeCompletionPrompt(language == null ? "" : language, path == null ? "" : path,
                prefix, suffix, prompt));
    }

    private static String withoutTrailingSpace(String text) {
        return text.endsWith(" ") ? text.substring(0, text.length() - 1) : text;
    }
}
