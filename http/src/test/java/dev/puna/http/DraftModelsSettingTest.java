package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code PUNA_DRAFT_MODEL}: a default draft and/or target=draft pairs. */
class DraftModelsSettingTest {
    @Test
    void aNameIsTheDefaultAndPairsNameTheirTargets() {
        assertEquals(Map.of("*", "qwen:0.5b"), Settings.draftModels("qwen:0.5b"));
        assertEquals(Map.of("llama3:70b", "llama3:1b", "*", "tiny"),
                Settings.draftModels(" llama3:70b = llama3:1b , tiny,"));
        assertEquals(Map.of(), Settings.draftModels(""));
    }

    @Test
    void badEntriesAreRefusedWithTheReason() {
        assertEquals("expected a model name or target=draft, got '=x'",
                assertThrows(IllegalArgumentException.class, () -> Settings.draftModels("=x")).getMessage());
        assertEquals("invalid model name '../etc'",
                assertThrows(IllegalArgumentException.class, () -> Settings.draftModels("a=../etc")).getMessage());
        assertEquals("more than one default draft",
                assertThrows(IllegalArgumentException.class, () -> Settings.draftModels("a,b")).getMessage());
        assertEquals("two drafts for 'a'",
                assertThrows(IllegalArgumentException.class, () -> Settings.draftModels("a=b,a=c")).getMessage());
    }
}
