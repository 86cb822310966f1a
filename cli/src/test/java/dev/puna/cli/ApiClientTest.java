package dev.puna.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where the client commands find the server: {@code PUNA_HOST}, over HTTPS when the server serves TLS. */
class ApiClientTest {
    @Test
    void theServersAddressComesFromPunaHost() {
        assertEquals("http://127.0.0.1:11434", ApiClient.fromEnvironment(Map.of()).base().toString());
        assertEquals("http://127.0.0.1:8080", ApiClient.fromEnvironment(Map.of("PUNA_HOST", "0.0.0.0:8080")).base()
                .toString());
        assertEquals("http://[::1]:11434", ApiClient.fromEnvironment(Map.of("PUNA_HOST", "[::]:11434")).base()
                .toString());
    }

    @Test
    void httpsWhenTheHostSaysSoOrTheServerHasACertificate() {
        assertEquals("https://llm.example:8443", ApiClient.fromEnvironment(Map.of("PUNA_HOST",
                "https://llm.example:8443")).base().toString());
        assertEquals("https://127.0.0.1:11434", ApiClient.fromEnvironment(Map.of("PUNA_TLS_CERT", "/etc/puna/c.pem"))
                .base().toString());
    }
}
