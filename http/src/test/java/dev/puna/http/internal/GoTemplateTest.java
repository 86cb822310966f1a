package dev.puna.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Go-template subset of /api/generate's template field. */
class GoTemplateTest {
    private static String render(String template, String system, String prompt) {
        return GoTemplate.parse(template).render(Map.of("System", system, "Prompt", prompt));
    }

    @Test
    void substitutesFields() {
        assertEquals("[S] sys [U] hi", render("[S] {{ .System }} [U] {{.Prompt}}", "sys", "hi"));
    }

    @Test
    void ifElse() {
        String t = "{{ if .System }}<sys>{{ .System }}</sys>{{ else }}<nosys>{{ end }}{{ .Prompt }}";
        assertEquals("<sys>be brief</sys>Q", render(t, "be brief", "Q"));
        assertEquals("<nosys>Q", render(t, "", "Q"));
    }

    @Test
    void elseIfChains() {
        String t = "{{ if .System }}A{{ else if .Prompt }}B{{ else }}C{{ end }}";
        assertEquals("A", render(t, "s", "p"));
        assertEquals("B", render(t, "", "p"));
        assertEquals("C", render(t, "", ""));
    }

    @Test
    void renderingStopsAtResponse() {
        String t = "<|im_start|>user\n{{ .Prompt }}<|im_end|>\n<|im_start|>assistant\n{{ .Response }}<|im_end|>\n";
        assertEquals("<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n", render(t, "", "Hello"));
    }

    @Test
    void trimMarkersEatNeighbouringWhitespace() {
        String t = "A  \n  {{- .Prompt -}}  \n  B {{/* a comment */}}C";
        assertEquals("AxB C", render(t, "", "x"));
        // A dash without a space is not a trim marker.
        assertThrows(IllegalArgumentException.class, () -> GoTemplate.parse("{{-.Prompt}}"));
    }

    @Test
    void usesReportsFields() {
        GoTemplate t = GoTemplate.parse("{{ if .System }}{{ .System }}{{ end }}{{ .Prompt }}");
        assertTrue(t.uses("System"));
        assertTrue(t.uses("Prompt"));
        assertFalse(t.uses("Response"));
    }

    @Test
    void unsupportedConstructsAreNamed() {
        assertEquals("unsupported template variable .Messages: only .System, .Prompt and .Response are supported",
                assertThrows(IllegalArgumentException.class, () -> GoTemplate.parse("{{ .Messages }}")).getMessage());
        assertEquals("unsupported template action {{ range .Messages }}: only .System, .Prompt, .Response, "
                        + "if/else/end and comments are supported",
                assertThrows(IllegalArgumentException.class,
                        () -> GoTemplate.parse("{{ range .Messages }}x{{ end }}")).getMessage());
        assertEquals("unsupported template action {{ if eq .System \"x\" }}: only {{ if .System }}, "
                        + "{{ if .Prompt }} and {{ if .Response }} conditions are supported",
                assertThrows(IllegalArgumentException.class,
                        () -> GoTemplate.parse("{{ if eq .System \"x\" }}y{{ end }}")).getMessage());
        assertEquals("unsupported template action {{ .Prompt | upper }}: only .System, .Prompt, .Response, "
                        + "if/else/end and comments are supported",
                assertThrows(IllegalArgumentException.class, () -> GoTemplate.parse("{{ .Prompt | upper }}"))
                        .getMessage());
    }

    @Test
    void malformedTemplates() {
        assertEquals("unclosed action: '{{' at offset 3 has no '}}'",
                assertThrows(IllegalArgumentException.class, () -> GoTemplate.parse("ab {{ .Prompt")).getMessage());
        assertEquals("missing {{ end }} for {{ if .System }}",
                assertThrows(IllegalArgumentException.class, () -> GoTemplate.parse("{{ if .System }}x")).getMessage());
        assertEquals("unexpected {{ end }} without a matching {{ if }}",
                assertThrows(IllegalArgumentException.class, () -> GoTemplate.parse("x{{ end }}")).getMessage());
    }
}
