package dev.puna.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ModelNamesTest {
    @Test
    void validNames() {
        for (String n : new String[] {"llama3", "llama3:8b", "library/llama3:latest", "registry.ollama.ai/library/llama3",
                "hf.co/user/repo:Q4_K_M", "localhost:5000/ns/model:tag", "a", "qwen2.5-coder:1.5b"}) {
            assertTrue(ModelNames.isValid(n), n);
        }
    }

    @Test
    void invalidNames() {
        for (String n : new String[] {"", "../etc/passwd", "a/b/c/d", "-model", "model:", "model:-tag", "a b",
                "model:tag:x/", ".hidden", "x/../y", "name?"}) {
            assertFalse(ModelNames.isValid(n), n);
        }
    }

    @Test
    void requireNamesTheProblem() {
        assertEquals("model is required", assertThrows(ApiException.class, () -> ModelNames.require(null)).getMessage());
        assertEquals("model is required", assertThrows(ApiException.class, () -> ModelNames.require(" ")).getMessage());
        assertEquals("invalid model name '../x'",
                assertThrows(ApiException.class, () -> ModelNames.require("../x")).getMessage());
    }

    @Test
    void canonicalSpellings() {
        assertEquals("llama3:latest", ModelNames.canonical("llama3"));
        assertEquals("llama3:latest", ModelNames.canonical("Library/Llama3"));
        assertEquals("llama3:8b", ModelNames.canonical("registry.ollama.ai/library/llama3:8B"));
        assertEquals("user/model:latest", ModelNames.canonical("registry.ollama.ai/user/model"));
        assertEquals("hf.co/user/repo:q4_k_m", ModelNames.canonical("hf.co/user/repo:Q4_K_M"));
        assertEquals("localhost:5000/ns/model:latest", ModelNames.canonical("localhost:5000/ns/model"));
    }
}
