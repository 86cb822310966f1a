package dev.puna.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.http.CatalogModel;
import dev.puna.http.ModelDetails;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which template a model's prompts use, and that one Puna cannot run is an error, not a fall back to the GGUF's. */
class PromptTemplatesTest {
    private static CatalogModel withTemplate(String template) {
        return new CatalogModel("m:latest", Path.of("m.gguf"), "", 1, Instant.EPOCH,
                new ModelDetails("", "gguf", "llama", List.of("llama"), "", "F32"), template, null, Map.of(), null,
                null);
    }

    @Test
    void aStoredTemplatePunaCannotRunIsA501NamingTheConstruct() {
        ApiException e = assertThrows(ApiException.class,
                () -> PromptTemplates.of(withTemplate("{{ template \"base\" . }}")));
        assertEquals(501, e.status());
        assertEquals("model 'm:latest' has a TEMPLATE Puna cannot run: unsupported template action "
                + "{{ template \"base\" . }}: named templates ({{ template }}) are not supported", e.getMessage());
    }

    @Test
    void aModelWithoutATemplateUsesTheGgufChatTemplate() {
        assertTrue(PromptTemplates.of(withTemplate(null)).isEmpty());
        assertTrue(PromptTemplates.of(withTemplate("")).isEmpty());
        assertEquals("{{ .Prompt }}", PromptTemplates.of(withTemplate("{{ .Prompt }}")).orElseThrow().source());
    }

    @Test
    void aRequestTemplatePunaCannotRunIsA400() {
        ApiException e = assertThrows(ApiException.class, () -> PromptTemplates.parse("template", "{{ js .Prompt }}"));
        assertEquals(400, e.status());
        assertEquals("template", e.param());
    }
}
