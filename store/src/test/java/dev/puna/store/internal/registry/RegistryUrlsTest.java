package dev.puna.store.internal.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.store.Digest;
import dev.puna.store.ModelName;
import dev.puna.store.RegistryClient;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegistryUrlsTest {
    private static final Digest D = Digest.parse("sha256:" + "ab".repeat(32));

    @Test
    void huggingFaceNamesGoToHfCo() {
        assertEquals(URI.create("https://hf.co/v2/bartowski/Llama-3.2-1B-Instruct-GGUF/manifests/Q4_K_M"),
                RegistryClient.manifestUri("hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M", false));
        assertEquals(URI.create("https://hf.co/v2/unsloth/gemma-3-1b-it-GGUF/manifests/latest"),
                RegistryClient.manifestUri("hf.co/unsloth/gemma-3-1b-it-GGUF", false));
        ModelName hf = ModelName.parse("hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M");
        assertEquals(URI.create("https://hf.co/v2/bartowski/Llama-3.2-1B-Instruct-GGUF/blobs/" + D),
                RegistryUrls.blob(hf, false, D));
    }

    @Test
    void aHuggingFaceEndpointTakesHfNamesOnly() {
        URI mirror = URI.create("http://127.0.0.1:8080/");
        ModelName hf = ModelName.parse("hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M");
        assertEquals(URI.create("http://127.0.0.1:8080/v2/bartowski/Llama-3.2-1B-Instruct-GGUF/manifests/Q4_K_M"),
                RegistryUrls.manifest(hf, false, mirror));
        assertEquals(URI.create("http://127.0.0.1:8080/v2/bartowski/Llama-3.2-1B-Instruct-GGUF/blobs/" + D),
                RegistryUrls.blob(hf, false, mirror, D));
        assertEquals(URI.create("https://registry.ollama.ai/v2/library/llama3.2/manifests/latest"),
                RegistryUrls.manifest(ModelName.parse("llama3.2"), false, mirror));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> dev.puna.store.RegistryOptions.builder().huggingFaceEndpoint(URI.create("ftp://x/")).build());
    }

    @Test
    void ollamaNamesGoToTheirRegistry() {
        assertEquals(URI.create("https://registry.ollama.ai/v2/library/llama3.2/manifests/latest"),
                RegistryClient.manifestUri("llama3.2", false));
        assertEquals(URI.create("http://localhost:5000/v2/me/tiny/manifests/q8"),
                RegistryClient.manifestUri("localhost:5000/me/tiny:q8", true));
        assertEquals(URI.create("https://localhost:5000/v2/me/tiny/blobs/uploads/"),
                RegistryUrls.uploads(ModelName.parse("localhost:5000/me/tiny:q8"), false));
    }

    @Test
    void theDigestIsAddedToUploadLocations() {
        assertEquals(URI.create("http://r/v2/a/b/blobs/uploads/u1?_state=xyz&digest=sha256%3A" + D.hex()),
                RegistryUrls.withDigest(URI.create("http://r/v2/a/b/blobs/uploads/u1?_state=xyz"), D));
        assertEquals(URI.create("/v2/a/b/blobs/uploads/u1?digest=sha256%3A" + D.hex()),
                RegistryUrls.withDigest(URI.create("/v2/a/b/blobs/uploads/u1"), D));
    }

    @Test
    void authChallengesAreParsed() {
        AuthChallenge bearer = AuthChallenge.parse("Bearer realm=\"https://auth.docker.io/token\","
                + "service=\"registry.docker.io\",scope=\"repository:library/ubuntu:pull,push\"").orElseThrow();
        assertEquals("bearer", bearer.scheme());
        assertEquals(Map.of("realm", "https://auth.docker.io/token", "service", "registry.docker.io",
                "scope", "repository:library/ubuntu:pull,push"), bearer.params());
        AuthChallenge basic = AuthChallenge.parse("Basic realm=basic-realm").orElseThrow();
        assertEquals("basic", basic.scheme());
        assertEquals("basic-realm", basic.realm());
        assertTrue(AuthChallenge.parse("Negotiate abc").isEmpty());
        assertTrue(AuthChallenge.parse(null).isEmpty());
    }
}
