package dev.puna.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.puna.http.ServerConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The CLI's side of Ollama's API: JSON requests to a running server, NDJSON streams read line by line, blob
 * uploads from files. The server's address comes from {@code PUNA_HOST}, as {@code puna serve} reads it (default
 * {@code 127.0.0.1:11434}; a wildcard listen address means this machine), and with {@code PUNA_API_KEY} set every
 * request carries {@code Authorization: Bearer <key>} for a server that requires keys. Failures become one-line
 * {@link CliException}s: the server is not running, or its {@code {"error": ...}} message.
 */
final class ApiClient {
    static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final HttpClient http;
    private final String apiKey;

    ApiClient(URI base) {
        this(base, null);
    }

    /** @param apiKey sent as a bearer token with every request; null or blank for none */
    ApiClient(URI base, String apiKey) {
        this.base = base;
        this.apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey.strip();
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    /**
     * The server named by {@code PUNA_HOST} in {@code env}, over HTTPS when {@code PUNA_HOST} says {@code https://}
     * or {@code PUNA_TLS_CERT} is set (as for the server itself); the JVM's trust store must hold the server's
     * certificate or its CA ({@code -Djavax.net.ssl.trustStore=...} through {@code JAVA_TOOL_OPTIONS}).
     *
     * @throws dev.puna.http.ServerConfigException (exit code 2) for an invalid {@code PUNA_HOST}
     */
    static ApiClient fromEnvironment(Map<String, String> env) {
        String spec = env.get("PUNA_HOST");
        boolean tls = env.get("PUNA_TLS_CERT") != null && !env.get("PUNA_TLS_CERT").isBlank();
        if (spec != null && spec.strip().regionMatches(true, 0, "https://", 0, 8)) {
            tls = true;
            spec = "http://" + spec.strip().substring(8);
        }
        ServerConfig.Builder b = ServerConfig.builder();
        if (spec != null && !spec.isBlank()) {
            b.listen(spec);
        }
        ServerConfig c = b.build();
        String host = switch (c.host()) {
            case "0.0.0.0" -> "127.0.0.1";
            case "::", "0:0:0:0:0:0:0:0" -> "::1";
            default -> c.host();
        };
        String shown = host.contains(":") ? "[" + host + "]" : host;
        return new ApiClient(URI.create((tls ? "https://" : "http://") + shown + ":" + c.port()),
                env.get("PUNA_API_KEY"));
    }

    /** The server's base URL, e.g. {@code http://127.0.0.1:11434}. */
    URI base() {
        return base;
    }

    JsonNode get(String path) {
        return json(send(request(path).GET()));
    }

    JsonNode post(String path, Object body) {
        return json(send(request(path).POST(body(body)).header("Content-Type", "application/json")));
    }

    /** A request answered with an empty body (copy, delete). */
    void call(String method, String path, Object body) {
        send(request(path).method(method, body(body)).header("Content-Type", "application/json"));
    }

    /** {@code HEAD}: whether the server answers 200 (else 404; other statuses are errors). */
    boolean exists(String path) {
        HttpResponse<InputStream> r = exchange(request(path).method("HEAD", HttpRequest.BodyPublishers.noBody()));
        if (r.statusCode() != 404) {
            check(r);
        }
        try {
            r.body().close();
        } catch (IOException e) {
            // a HEAD answer has no body to lose
        }
        return r.statusCode() != 404;
    }

    /** Uploads a file as the raw body of a POST. */
    void upload(String path, Path file) throws IOException {
        send(request(path).timeout(Duration.ofHours(24)).POST(HttpRequest.BodyPublishers.ofFile(file)));
    }

    /**
     * POSTs {@code body} and hands each NDJSON line of the answer to {@code onLine} as it arrives.
     *
     * @throws CliException for an error status, or an {@code {"error": ...}} line
     */
    void stream(String path, Object body, Consumer<JsonNode> onLine) {
        HttpResponse<InputStream> r = exchange(request(path).timeout(Duration.ofDays(1))
                .POST(body(body)).header("Content-Type", "application/json"));
        check(r);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node = JSON.readTree(line);
                if (node.hasNonNull("error")) {
                    throw new CliException(node.get("error").asText());
                }
                onLine.accept(node);
            }
        } catch (IOException e) {
            throw new CliException("the connection to the Puna server at " + base + " broke: " + e.getMessage(), e);
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofMinutes(10));
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        return b;
    }

    private static HttpRequest.BodyPublisher body(Object body) {
        try {
            return HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private byte[] send(HttpRequest.Builder request) {
        HttpResponse<InputStream> r = exchange(request);
        check(r);
        try (InputStream in = r.body()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new CliException("the connection to the Puna server at " + base + " broke: " + e.getMessage(), e);
        }
    }

    private HttpResponse<InputStream> exchange(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new CliException("could not connect to a Puna server at " + base + "; is it running? Start one "
                    + "with 'puna serve'", e);
        } catch (IOException e) {
            throw new CliException("the request to the Puna server at " + base + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted", e);
        }
    }

    /** Turns an error status into its {@code {"error": ...}} message. */
    private void check(HttpResponse<InputStream> r) {
        if (r.statusCode() < 400) {
            return;
        }
        String text;
        try (InputStream in = r.body()) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            text = "";
        }
        String message = null;
        try {
            JsonNode error = JSON.readTree(text).get("error");
            message = error == null ? null : error.asText();
        } catch (IOException e) {
            // not JSON: use the text
        }
        if (message == null || message.isBlank()) {
            message = text.isBlank() ? "the server answered " + r.statusCode() : text.strip();
        }
        // The server's own key check says so with WWW-Authenticate; a registry's 401 for a pull does not.
        if (r.statusCode() == 401 && r.headers().firstValue("WWW-Authenticate").isPresent()) {
            message = "the Puna server at " + base + " refused the request (" + message + "): "
                    + (apiKey == null ? "it requires an API key; set PUNA_API_KEY" : "check PUNA_API_KEY");
        }
        throw new CliException(message, r.statusCode(), null);
    }

    private static JsonNode json(byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new CliException("the server sent invalid JSON: " + e.getMessage(), e);
        }
    }
}
