package dev.puna.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * Streams one OpenAI {@code /v1/completions} or {@code /v1/chat/completions} request and times it from the
 * client's side: the same request, the same parsing and the same clock for every server under test.
 */
final class CompletionClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The OpenAI route a client sends to. */
    enum Route {
        COMPLETIONS("completions", "/v1/completions"),
        CHAT("chat", "/v1/chat/completions");

        final String label;
        final String path;

        Route(String label, String path) {
            this.label = label;
            this.path = path;
        }

        static Route of(String label) {
            for (Route r : values()) {
                if (r.label.equals(label)) {
                    return r;
                }
            }
            throw new IllegalArgumentException("unknown route " + label + " (chat, completions)");
        }
    }

    /** One chat message. */
    record Message(String role, String content) {
        static Message user(String content) {
            return new Message("user", content);
        }

        static Message assistant(String content) {
            return new Message("assistant", content);
        }
    }

    /**
     * What one request took. Times are {@link System#nanoTime()} readings; {@code promptMs} and {@code cachedTokens}
     * are the server's own {@code timings.prompt_ms} and {@code timings.cache_n} (llama-server's), NaN and -1 when
     * it sent none.
     */
    record Sample(long start, long firstToken, long lastToken, long end, int promptTokens, int completionTokens,
                  String text, double promptMs, int cachedTokens) {
        long ttftNanos() {
            return firstToken - start;
        }

        /** TTFT less the server's prompt evaluation: HTTP, templates, tokenizing, queueing, the first token's way out. */
        double ttftOutsidePromptMs() {
            return ttftNanos() / 1e6 - promptMs;
        }

        /** Generation speed after the first token (the first token's time belongs to the prompt). */
        double decodeTokensPerSecond() {
            return completionTokens <= 1 || lastToken <= firstToken ? 0
                    : (completionTokens - 1) * 1e9 / (lastToken - firstToken);
        }
    }

    /**
     * The HTTP/1.1 client the benches share. Idle pooled connections are dropped after 2 s: llama-server
     * (cpp-httplib) closes a keep-alive connection after 5 s idle, and a request sent on one it has just closed fails
     * with "header parser received no bytes" (seen once, on a slow VM, after a 4.3 s prefill elsewhere).
     */
    static HttpClient newHttpClient() {
        System.setProperty("jdk.httpclient.keepalive.timeout", "2");
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
                .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
    }

    private final HttpClient http;
    private final String baseUrl;
    private final String model;
    private final Route route;

    CompletionClient(HttpClient http, String baseUrl, String model) {
        this(http, baseUrl, model, Route.COMPLETIONS);
    }

    /** A client whose {@link #complete} goes to {@code route}. */
    CompletionClient(HttpClient http, String baseUrl, String model, Route route) {
        this.http = http;
        this.baseUrl = baseUrl;
        this.model = model;
        this.route = route;
    }

    Route route() {
        return route;
    }

    /**
     * Sends, retrying twice when the connection closed before any response byte: a server may close an idle
     * keep-alive connection just as the client reuses it (llama-server's HTTP library does), which is not a
     * failure of the request.
     */
    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body)
            throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return http.send(request, body);
            } catch (IOException e) {
                if (attempt == 3 || e.getMessage() == null || !e.getMessage().contains("received no bytes")) {
                    throw e;
                }
            }
        }
    }

    /** {@code prompt} on this client's route: as the prompt of a completion, or as one user message. */
    Sample complete(String prompt, int maxTokens) throws IOException, InterruptedException {
        return route == Route.CHAT ? chat(List.of(Message.user(prompt)), maxTokens) : completion(prompt, maxTokens);
    }

    /** {@code prompt} on {@code /v1/completions}, whatever this client's route. */
    Sample completion(String prompt, int maxTokens) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.put("prompt", prompt);
        return stream(Route.COMPLETIONS, body, maxTokens);
    }

    /** {@code messages} on {@code /v1/chat/completions}, whatever this client's route. */
    Sample chat(List<Message> messages, int maxTokens) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        messages(body, messages);
        return stream(Route.CHAT, body, maxTokens);
    }

    /**
     * The prompt text the server's chat route generates from for {@code messages} (its {@code /apply-template}, which
     * llama-server and Puna both have), to send the same tokens to {@code /v1/completions}.
     */
    String applyTemplate(List<Message> messages) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        messages(body, messages);
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/apply-template"))
                .timeout(Duration.ofMinutes(1)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        HttpResponse<String> response = send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(request.uri() + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body()).path("prompt").asText();
    }

    private void messages(ObjectNode body, List<Message> messages) {
        body.put("model", model);
        for (Message m : messages) {
            body.withArray("messages").addObject().put("role", m.role()).put("content", m.content());
        }
    }

    private Sample stream(Route to, ObjectNode body, int maxTokens) throws IOException, InterruptedException {
        URI uri = URI.create(baseUrl + to.path);
        body.put("model", model);
        body.put("max_tokens", maxTokens);
        body.put("temperature", 0);
        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        long start = System.nanoTime();
        HttpResponse<Stream<String>> response = send(request, HttpResponse.BodyHandlers.ofLines());
        if (response.statusCode() != 200) {
            String error = String.join("\n", (Iterable<String>) response.body()::iterator);
            throw new IOException(uri + " answered " + response.statusCode() + ": " + error);
        }
        long first = 0;
        long last = 0;
        int chunks = 0;
        int promptTokens = -1;
        int completionTokens = -1;
        double promptMs = Double.NaN;
        int cachedTokens = -1;
        StringBuilder text = new StringBuilder();
        try (Stream<String> lines = response.body()) {
            Iterator<String> it = lines.iterator();
            while (it.hasNext()) {
                String line = it.next();
                if (!line.startsWith("data:")) {
                    continue;
                }
                String data = line.substring(5).trim();
                if (data.equals("[DONE]")) {
                    break;
                }
                JsonNode chunk = JSON.readTree(data);
                JsonNode choices = chunk.path("choices");
                if (choices.isArray() && !choices.isEmpty()) {
                    JsonNode choice = choices.get(0);
                    JsonNode content = to == Route.CHAT ? choice.path("delta").path("content") : choice.path("text");
                    String piece = content.isTextual() ? content.asText() : "";
                    if (!piece.isEmpty()) {
                        long now = System.nanoTime();
                        if (first == 0) {
                            first = now;
                        }
                        last = now;
                        chunks++;
                        text.append(piece);
                    }
                }
                JsonNode timings = chunk.path("timings");
                if (timings.isObject()) {
                    promptMs = timings.path("prompt_ms").asDouble(Double.NaN);
                    cachedTokens = timings.path("cache_n").asInt(-1);
                }
                JsonNode usage = chunk.path("usage");
                if (usage.isObject()) {
                    promptTokens = usage.path("prompt_tokens").asInt(-1);
                    completionTokens = usage.path("completion_tokens").asInt(-1);
                }
            }
        }
        long end = System.nanoTime();
        if (first == 0) {
            first = end;
            last = end;
        }
        return new Sample(start, first, last, end, promptTokens, completionTokens >= 0 ? completionTokens : chunks,
                text.toString(), promptMs, cachedTokens);
    }
}
