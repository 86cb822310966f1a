package dev.puna.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A stand-in for a Puna server on a loopback port answering what {@code list}, {@code ps} and {@code show} ask
 * ({@code /api/tags}, {@code /api/ps}, {@code /api/show}) with fixed JSON in the server's shapes; {@code show} of
 * any model but {@value #MODEL} is a 404 with Ollama's error body.
 */
final class FakeOllama implements AutoCloseable {
    static final String MODEL = "demo:latest";
    private static final String DIGEST = "7d70b52087c562badd1a32ba7c064c0237ed5d63900026f1cc1cb3782ca88e96";
    private static final String DETAILS = "{\"parent_model\":\"\",\"format\":\"gguf\",\"family\":\"llama\","
            + "\"families\":[\"llama\"],\"parameter_size\":\"140K\",\"quantization_level\":\"Q8_0\"}";

    private final HttpServer server;

    FakeOllama() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/tags", ex -> respond(ex, 200, "{\"models\":[{\"name\":\"" + MODEL + "\","
                + "\"model\":\"" + MODEL + "\",\"modified_at\":\"2026-01-02T03:04:05Z\",\"size\":161863,"
                + "\"digest\":\"" + DIGEST + "\",\"details\":" + DETAILS + "}]}"));
        server.createContext("/api/ps", ex -> respond(ex, 200, "{\"models\":[{\"name\":\"" + MODEL + "\","
                + "\"model\":\"" + MODEL + "\",\"size\":8550208,\"digest\":\"" + DIGEST + "\",\"details\":" + DETAILS
                + ",\"expires_at\":\"2099-01-01T00:00:00Z\",\"size_vram\":4275104,\"context_length\":4096}]}"));
        server.createContext("/api/show", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (!body.contains("\"" + MODEL + "\"")) {
                respond(ex, 404, "{\"error\":\"model 'nope' not found\"}");
                return;
            }
            respond(ex, 200, "{\"modelfile\":\"FROM /models/blobs/sha256-ec28\\n\",\"parameters\":\"stop <|im_end|>\","
                    + "\"template\":\"{{ .Prompt }}\",\"system\":\"Be brief.\",\"license\":\"MIT\","
                    + "\"details\":" + DETAILS + ",\"model_info\":{\"general.architecture\":\"llama\","
                    + "\"general.parameter_count\":139712,\"llama.context_length\":4096,"
                    + "\"llama.embedding_length\":64},\"capabilities\":[\"completion\"]}");
        });
        server.start();
    }

    /** {@code PUNA_HOST} for this server. */
    String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    private static void respond(HttpExchange ex, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
