package dev.puna.runtime.completion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Parsing CodeInferflow code-completion prompts. */
class CodeCompletionPromptTest {
    private static CodeCompletionPrompt parse(String prompt) {
        return CodeCompletionPrompt.parse(prompt).orElseThrow();
    }

    @Test
    void headersPrefixAndSuffix() {
        String prompt = "# Language: Python\n# Path: ~/code/sort.py\ndef quicksort( <SUF> ) <MID>";
        assertEquals(new CodeCompletionPrompt("Python", "~/code/sort.py", "def quicksort(", " )", prompt),
                parse(prompt));
    }

    @Test
    void llamaCoderCodeLlamaFormat() {
        String prompt = "<PRE> // Language: TypeScript (typescript) \n// Path: src/a.ts\nconst x = <SUF>;\n <MID>";
        assertEquals(new CodeCompletionPrompt("TypeScript (typescript)", "src/a.ts", "const x =", ";\n", prompt),
                parse(prompt));
    }

    @Test
    void blockCommentHeadersInEitherOrder() {
        CodeCompletionPrompt p = parse("<!-- Path: index.html -->\n<!-- Language: HTML -->\n<p><SUF></p><MID>\n");
        assertEquals("HTML", p.language());
        assertEquals("index.html", p.filePath());
        assertEquals("<p>", p.prefix());
        assertEquals("</p>", p.suffix());
    }

    @Test
    void missingHeadersAreEmpty() {
        assertEquals(new CodeCompletionPrompt("", "", "a = ", "", "a =  <SUF> <MID>"), parse("a =  <SUF> <MID>"));
        CodeCompletionPrompt onlyPath = parse("-- Path: q.sql\nSELECT <SUF> FROM t <MID>");
        assertEquals("", onlyPath.language());
        assertEquals("q.sql", onlyPath.filePath());
    }

    @Test
    void headerLikeLinesAfterTheCodeStartsAreCode() {
        CodeCompletionPrompt p = parse("x = 1\n# Language: Python\n<SUF><MID>");
        assertEquals("", p.language());
        assertEquals("x = 1\n# Language: Python\n", p.prefix());
        CodeCompletionPrompt twice = parse("# Language: A\n# Language: B\n<SUF><MID>");
        assertEquals("A", twice.language());
        assertEquals("# Language: B\n", twice.prefix());
    }

    @Test
    void theLastMarkersSplitTheCode() {
        CodeCompletionPrompt p = parse("s = \"<SUF>\" <SUF>tail <MID>");
        assertEquals("s = \"<SUF>\"", p.prefix());
        assertEquals("tail", p.suffix());
    }

    @Test
    void promptsWithoutBothMarkersAreNotCodeCompletion() {
        assertEquals(Optional.empty(), CodeCompletionPrompt.parse("# Language: Python\ndef f():"));
        assertEquals(Optional.empty(), CodeCompletionPrompt.parse("def f( <MID>"));
        assertEquals(Optional.empty(), CodeCompletionPrompt.parse("def f( <SUF> )"));
        assertEquals(Optional.empty(), CodeCompletionPrompt.parse("<MID> then <SUF>"));
        assertEquals(Optional.empty(), CodeCompletionPrompt.parse("a <SUF> b <MID> trailing text"));
        assertTrue(CodeCompletionPrompt.parse("a <SUF> b <MID> \n\t").isPresent());
    }

    @Test
    void plainFillInTheMiddle() {
        assertEquals(new CodeCompletionPrompt("", "", "pre", "suf", "pre"), CodeCompletionPrompt.of("pre", "suf"));
    }
}
