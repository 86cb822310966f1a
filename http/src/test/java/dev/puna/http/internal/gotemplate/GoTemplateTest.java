package dev.puna.http.internal.gotemplate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Go text/template engine: each construct with the output Go's own engine gives for it. */
class GoTemplateTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T10:00:00Z"), ZoneOffset.UTC);

    private static String run(String template, Object data) {
        return GoTemplate.parse(template).execute(data, CLOCK);
    }

    private static Map<String, Object> data() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("System", "sys");
        d.put("Prompt", "hi");
        d.put("Empty", "");
        d.put("N", 3L);
        d.put("F", 0.5);
        d.put("T", true);
        d.put("List", List.of("a", "b", "c"));
        d.put("None", List.of());
        d.put("Map", Map.of("b", 2L, "a", 1L));
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("Role", "user");
        fields.put("Content", "x");
        d.put("Msg", new GoStruct("api.Message", fields, () -> null, false));
        return d;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            `[{{ .System }}] {{.Prompt}}`                                  | `[sys] hi`
            `{{ if .System }}A{{ else if .Prompt }}B{{ else }}C{{ end }}`  | A
            `{{ if .Empty }}A{{ else if .Prompt }}B{{ else }}C{{ end }}`   | B
            `{{ if .Empty }}A{{ else if .Empty }}B{{ else }}C{{ end }}`    | C
            `{{ if and .System .Prompt }}y{{ end }}`                       | y
            `{{ and .System .Empty .Prompt }}|{{ or .Empty .Prompt }}`     | `|hi`
            `{{ not .Empty }} {{ not .N }}`                                | `true false`
            `{{ eq .N 3 }} {{ eq .Prompt "x" "hi" }} {{ ne .N 4 }}`         | `true true true`
            `{{ lt 1 2 }} {{ le 2 2 }} {{ gt .N 4 }} {{ ge .F 0.5 }}`       | `true true false true`
            `{{ len .List }} {{ len .Prompt }} {{ len .Map }} {{ len "é" }}` | `3 2 2 2`
            `{{ slice .List 1 }} {{ slice .List 1 2 }} {{ slice .Prompt 1 }}`| `[b c] [b] i`
            `{{ index .List 2 }} {{ index .Map "b" }}`                     | `c 2`
            `{{ range $i, $e := .List }}{{ $i }}={{ $e }};{{ end }}`       | `0=a;1=b;2=c;`
            `{{ range .List }}{{ . }}{{ else }}none{{ end }}`              | abc
            `{{ range .None }}x{{ else }}none{{ end }}`                    | none
            `{{ range $k, $v := .Map }}{{ $k }}{{ $v }}{{ end }}`          | a1b2
            `{{ range .List }}{{ if eq . "b" }}{{ break }}{{ end }}{{ . }}{{ end }}`    | a
            `{{ range .List }}{{ if eq . "b" }}{{ continue }}{{ end }}{{ . }}{{ end }}` | ac
            `{{ with .Msg }}{{ .Role }}:{{ .Content }}{{ end }}`          | user:x
            `{{ with .Empty }}x{{ else }}y{{ end }}`                       | y
            `{{ $x := .Prompt }}{{ $x }}{{ $x = "re" }}{{ $x }}`          | hire
            `{{ range .List }}{{ $.Prompt }}{{ end }}`                     | hihihi
            `{{ $m := .Msg }}{{ $m.Role }}`                                | user
            `{{ .Prompt | printf "%s!" }} {{ printf "%d-%v-%q" .N .T .Prompt }}` | `hi! 3-true-"hi"`
            `{{ print 1 2 "a" "b" 3 }}|{{ println "x" 1 }}|`              | `1 2ab3|x 1\\n|`
            `{{ (index .List 0) }}{{ (len .List) | printf "%d" }}`         | a3
            `{{ json .Map }} {{ json .List }} {{ json "<&>" }} {{ json .F }}` | `{"a":1,"b":2} ["a","b","c"] "\\u003c\\u0026\\u003e" 0.5`
            `{{ currentDate }} {{ yesterdayDate }}`                        | `2026-03-01 2026-02-28`
            `{{ .Missing }}|{{ .F }}|{{ 1e6 }}|{{ .Map }}|{{ .Msg }}`      | `<no value>|0.5|1e+06|map[a:1 b:2]|{user x}`
            `{{/* a comment */}}x{{- /* trimmed */ -}} y`                  | xy
            `A  {{- .Prompt -}}  B`                                        | AhiB
            `{{ "quoted \\"str\\"\\n" }}x`                             | `quoted "str"\\nx`
            """)
    void goSemantics(String template, String expected) {
        assertEquals(expected.replace("\\n", "\n"), run(template, data()));
    }

    @Test
    void rawStringsAndEscapes() {
        assertEquals("raw\\n|tab\t|\u00e9", run("{{ `raw\\n` }}|{{ \"tab\\t\" }}|{{ \"\\u00e9\" }}", Map.of()));
    }

    @Test
    void trimMarkersEatEveryKindOfNeighbouringWhitespace() {
        assertEquals("AxB C", run("A  \n\t  {{- .Prompt -}}  \n  B {{/* c */}}C", Map.of("Prompt", "x")));
        assertEquals("a-1", run("a{{-1}}", Map.of()), "a dash without a space is a negative number");
    }

    @Test
    void fieldsOfAStructThatDoesNotHaveThemFailAsInGo() {
        assertEquals("can't evaluate field Nope in type api.Message",
                assertThrows(TemplateException.class, () -> run("{{ .Msg.Nope }}", data())).getMessage());
        assertEquals("nil pointer evaluating .Missing.X",
                assertThrows(TemplateException.class, () -> run("{{ .Missing.X }}", data())).getMessage());
        assertEquals("error calling index: index out of range: 5",
                assertThrows(TemplateException.class, () -> run("{{ index .List 5 }}", data())).getMessage());
        assertEquals("incompatible types for comparison: string and int",
                assertThrows(TemplateException.class, () -> run("{{ eq .Prompt 1 }}", data())).getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            `ab {{ .Prompt`                          | unclosed action: '{{' at offset 3 has no '}}'
            `{{ if .System }}x`                      | missing {{ end }} for {{ if .System }}
            `x{{ end }}`                             | unexpected {{ end }}
            `{{ range .List }}x{{ else if .A }}{{ end }}` | unexpected {{ else if .A }} in {{ range .List }}
            `{{ define "x" }}y{{ end }}`             | unsupported template action {{ define "x" }}: named templates ({{ define }}) are not supported
            `{{ block "x" . }}y{{ end }}`            | unsupported template action {{ block "x" . }}: named templates ({{ block }}) are not supported
            `{{ html .Prompt }}`                     | unsupported function html in {{ html .Prompt }}: Go's html is not supported
            `{{ upper .Prompt }}`                    | function "upper" not defined in {{ upper .Prompt }}
            `{{ .Prompt | .System }}`                | `non-function in pipeline stage 2 of {{ .Prompt | .System }}`
            `{{ break }}`                            | {{ break }} outside {{ range }}
            `{{ if eq .A == .B }}{{ end }}`          | unexpected '==' in {{ if eq .A == .B }}: use the eq function
            `{{ "unterminated }}`                    | unclosed action: '{{' at offset 0 has no '}}'
            """)
    void unsupportedOrMalformedConstructsAreNamed(String template, String message) {
        assertEquals(message, assertThrows(TemplateException.class, () -> GoTemplate.parse(template)).getMessage());
    }

    @Test
    void cuttingAfterResponseIsStructuralLikeOllamasDeleteNode() {
        GoTemplate t = GoTemplate.parse("<u>{{ .Prompt }}</u>{{ if .System }}S{{ end }}<a>{{ .Response }}</a>"
                + "{{ if .Prompt }}after{{ end }}");
        assertEquals("<u>hi</u>S<a>r", t.cutAfterResponse().execute(Map.of("Prompt", "hi", "System", "s",
                "Response", "r"), CLOCK));
        // {{ if .Response }} tests the field without printing it: no cut there.
        GoTemplate conditional = GoTemplate.parse("{{ if .Response }}R{{ end }}<a>{{ .Response }}</a>");
        assertEquals("<a>", conditional.cutAfterResponse().execute(Map.of("Response", ""), CLOCK));
    }

    @Test
    void identifiersAreEveryFieldMentionedLowerCased() {
        assertEquals(Set.of("messages", "role", "tools", "system", "content"), GoTemplate.parse(
                "{{ if .System }}{{ end }}{{ range $i, $m := .Messages }}{{ $m.Role }}{{ (index $.Tools 0).Content }}"
                        + "{{ end }}").identifiers());
    }
}
