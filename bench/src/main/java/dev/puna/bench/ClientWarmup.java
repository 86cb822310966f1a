package dev.puna.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Warms the load generator itself before it times anything: its JIT, the HTTP client's classes and connection
 * pool, the SSE and JSON parsing of {@link CompletionClient}. Without it the first request a bench sends pays for
 * all of that on the client's clock, and {@link ServeBench}'s first-request row, one sample per server with the
 * baseline always first, read about half for whichever server went second: two identical Puna servers side by side
 * gave 303.6 against 582.1 ms (bench/HISTORY.md, 2026-12-07). The requests go to a stub server in this JVM, on a
 * loopback port, that streams a canned answer on both OpenAI routes; no server under test sees them.
 */
final class ClientWarmup {
    private static final int REQUESTS = 40;

    private ClientWarmup() {
    }

    static void run(HttpClient http) throws IOException, InterruptedException {
        HttpServer stub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        stub.createContext("/v1/completions", x -> {
            x.getRequestBody().readAllBytes();
            stream(x, "{\"choices\":[{\"index\":0,\"text\":\"%s\"}]}");
        });
        stub.createContext("/v1/chat/completions", x -> {
            x.getRequestBody().readAllBytes();
            stream(x, "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"%s\"}}]}");
        });
        stub.start();
        try {
            String url = "http://127.0.0.1:" + stub.getAddress().getPort();
            Prompts prompts = new Prompts(1);
            for (int i = 0; i < REQUESTS; i++) {
                for (CompletionClient.Route route : CompletionClient.Route.values()) {
                    CompletionClient c = new CompletionClient(http, url, "warmup", route);
                    c.complete(prompts.words(100), 16);
                    if (route == CompletionClient.Route.CHAT) {
                        c.chat(List.of(CompletionClient.Message.user("Hi"), CompletionClient.Message.assistant("Hello"),
                                CompletionClient.Message.user("Again")), 16);
                    }
                }
            }
        } finally {
            stub.stop(0);
        }
    }

    /** Eight chunks of {@code chunk} (one piece each), then usage and timings as llama-server sends them. */
    private static void stream(com.sun.net.httpserver.HttpExchange x, String chunk) throws IOException {
        x.getResponseHeaders().set("Content-Type", "text/event-stream");
        x.sendResponseHeaders(200, 0);
        try (OutputStream out = x.getResponseBody()) {
            for (int i = 0; i < 8; i++) {
                out.write(("data: " + chunk.formatted("piece" + i) + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            out.write(("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":8},"
                    + "\"timings\":{\"prompt_ms\":1.0,\"cache_n\":0}}\n\n").getBytes(StandardCharsets.UTF_8));
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        }
    }
}
