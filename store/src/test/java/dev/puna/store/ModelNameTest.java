package dev.puna.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ModelNameTest {

    @Test
    void defaultsFillMissingParts() {
        ModelName n = ModelName.parse("llama3");
        assertEquals("registry.ollama.ai", n.host());
        assertEquals("library", n.namespace());
        assertEquals("llama3", n.model());
        assertEquals("latest", n.tag());
        assertEquals("registry.ollama.ai/library/llama3:latest", n.toString());
        assertEquals("llama3:latest", n.displayShortest());
    }

    @Test
    void namespaceAndHostAndTag() {
        ModelName n = ModelName.parse("me/tiny:q8");
        assertEquals("me", n.namespace());
        assertEquals("q8", n.tag());
        assertEquals("me/tiny:q8", n.displayShortest());

        ModelName h = ModelName.parse("localhost:5000/me/tiny:v1.2");
        assertEquals("localhost:5000", h.host());
        assertEquals("me", h.namespace());
        assertEquals("tiny", h.model());
        assertEquals("v1.2", h.tag());
        assertEquals("localhost:5000/me/tiny:v1.2", h.displayShortest());
        assertEquals("me/tiny", h.repository());

        ModelName noTag = ModelName.parse("localhost:5000/me/tiny");
        assertEquals("latest", noTag.tag());
        assertEquals("localhost:5000", noTag.host());
    }

    @Test
    void schemeIsDropped() {
        assertEquals("example.com/ns/m:latest", ModelName.parse("https://example.com/ns/m").toString());
        assertEquals("example.com/ns/m:t", ModelName.parse("http://example.com/ns/m:t").toString());
    }

    @Test
    void huggingFaceNames() {
        ModelName n = ModelName.parse("hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M");
        assertTrue(n.isHuggingFace());
        assertEquals("hf.co", n.host());
        assertEquals("bartowski", n.namespace());
        assertEquals("Llama-3.2-1B-Instruct-GGUF", n.model());
        assertEquals("Q4_K_M", n.tag());
        assertEquals("hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M", n.displayShortest());
        assertFalse(ModelName.parse("llama3").isHuggingFace());
    }

    @Test
    void matchingIgnoresCaseButSpellingIsKept() {
        ModelName a = ModelName.parse("Llama3:Latest");
        ModelName b = ModelName.parse("REGISTRY.ollama.ai/LIBRARY/llama3:latest");
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals("Llama3", a.model());
        assertEquals("Llama3:Latest", a.displayShortest());
        assertEquals("llama3:latest", b.displayShortest());
        assertNotEquals(a, ModelName.parse("llama3:8b"));
    }

    @Test
    void longestValidParts() {
        String host = "h".repeat(350);
        String part = "p".repeat(80);
        ModelName n = ModelName.parse(host + "/" + part + "/" + part + ":" + part);
        assertEquals(350, n.host().length());
        assertEquals(80, n.tag().length());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ":", "m:", ":tag", "/m", "ns/", "a/b/c/d", "a//m", "-model", ".model", "..",
        "../etc", "m/..", "m:..", "ns/../m", "m:../x", "m:a/b", "na.me/m", "ns/m:t:t", "m@sha256:1234",
        "m od", "m\u0000", "m\\x", "ns\\m", "%2e%2e", "m%2fx", "/etc/passwd", "C:\\models\\m", "m\n",
        "ftp://host/ns/m", "m+Q4_0", "h/ns/_m:-t", "mödel"})
    void invalidNamesAreRefused(String bad) {
        InvalidModelNameException e = assertThrows(InvalidModelNameException.class, () -> ModelName.parse(bad));
        assertEquals(400, e.httpStatus());
        assertTrue(e.getMessage().startsWith("invalid model name"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "control characters are escaped in messages");
    }

    @Test
    void overLongPartsAreRefusedNamingThePart() {
        InvalidModelNameException model = assertThrows(InvalidModelNameException.class,
                () -> ModelName.parse("m".repeat(81)));
        assertTrue(model.getMessage().contains("model is 81 characters long"), model.getMessage());
        InvalidModelNameException tag = assertThrows(InvalidModelNameException.class,
                () -> ModelName.parse("m:" + "t".repeat(81)));
        assertTrue(tag.getMessage().contains("tag is 81"), tag.getMessage());
        InvalidModelNameException host = assertThrows(InvalidModelNameException.class,
                () -> ModelName.parse("h".repeat(351) + "/ns/m"));
        assertTrue(host.getMessage().contains("host is 351"), host.getMessage());
        assertThrows(InvalidModelNameException.class, () -> ModelName.parse("n".repeat(81) + "/m"));
    }

    @Test
    void namespaceRefusesDotsButModelAndTagAllowThem() {
        assertThrows(InvalidModelNameException.class, () -> ModelName.parse("my.ns/m"));
        assertEquals("llama3.2", ModelName.parse("llama3.2:1b.q8").model());
        assertEquals("_m", ModelName.parse("_m").model());
    }

    @Test
    void ofValidatesEachPart() {
        assertEquals("h/n/m:t", ModelName.of("h", "n", "m", "t").toString());
        assertThrows(InvalidModelNameException.class, () -> ModelName.of("h", "..", "m", "t"));
        assertThrows(InvalidModelNameException.class, () -> ModelName.of("h", "n", "m", ".tmp-1-2"));
        assertThrows(InvalidModelNameException.class, () -> ModelName.of("h/x", "n", "m", "t"));
    }
}
