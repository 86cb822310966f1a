package dev.puna.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.puna.http.ListenAddress;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
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
 *
 * <p>Plain JSON calls ({@link #get}, {@link #post}: {@code list}, {@code ps}, {@code show}) go over
 * {@link HttpURLConnection}; the rest over {@link HttpClient}, built on first use: building one sets up TLS (an
 * {@code SSLContext}, the trust store) even for {@code http://}, a few hundred classes a command that wants to
 * answer at once does not need.
 */
final class ApiClient {
    static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String apiKey;
    private HttpClient http;

    ApiClient(URI base) {
        this(base, null);
    }

    /** @param apiKey sent as a bearer token with every request; null or blank for none */
    ApiClient(URI base, String apiKey) {
        this.base = base;
        this.apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey.strip();
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
        ListenAddress c = ListenAddress.parse(spec == null || spec.isBlank() ? "" : spec);
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
        return json(fetch("GET", path, null));
    }

    JsonNode post(String path, Object body) {
        try {
            return json(fetch("POST", path, JSON.writeValueAsBytes(body)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One request and its whole answer over {@link HttpURLConnection}; an error status becomes its message. */
    private byte[] fetch(String method, String path, byte[] body) {
        HttpURLConnection c = null;
        try {
            c = (HttpURLConnection) base.resolve(path).toURL().openConnection();
            c.setConnectTimeout(10_000);
            c.setReadTimeout(600_000);
            c.setRequestMethod(method);
            if (apiKey != null) {
                c.setRequestProperty("Authorization", "Bearer " + apiKey);
            }
            if (body != null) {
                c.setDoOutput(true);
                c.setRequestProperty("Content-Type", "application/json");
                c.setFixedLengthStreamingMode(body.length);
            }
            try {
                c.connect();
            } catch (ConnectException | SocketTimeoutException e) {
                throw notRunning(e);
            }
            if (body != null) {
                try (OutputStream out = c.getOutputStream()) {
                    out.write(body);
                }
            }
            int status = c.getResponseCode();
            if (status >= 400) {
                InputStream error = c.getErrorStream();
                String text = error == null ? "" : new String(readAll(error), StandardCharsets.UTF_8);
                throw failure(status, text, c.getHeaderField("WWW-Authenticate") != null);
            }
            return readAll(c.getInputStream());
        } catch (IOException e) {
            throw new CliException("the request to the Puna server at " + base + " failed: " + e, e);
        } finally {
            if (c != null) {
                c.disconnect();
            }
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    private CliException notRunning(Exception cause) {
        return new CliException("could not connect to a Puna server at " + base + "; is it running? Start one "
                + "with 'puna serve'", cause);
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
        if (http == null) {
            http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).build();
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw notRunning(e);
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
        throw failure(r.statusCode(), text, r.headers().firstValue("WWW-Authenticate").isPresent());
    }

    /** The {@code {"error": ...}} message of an error answer, or its text. */
    private CliException failure(int status, String text, boolean wwwAuthenticate) {
        String message = null;
        try {
            JsonNode error = JSON.readTree(text).get("error");
            message = error == null ? null : error.asText();
        } catch (IOException e) {
            // not JSON: use the text
        }
        if (message == null || message.isBlank()) {
            message = text.isBlank() ? "the server answered " + status : text.strip();
        }
        // The server's own key check says so with WWW-Authenticate; a registry's 401 for a pull does not.
        if (status == 401 && wwwAuthenticate) {
            message = "the Puna server at " + base + " refused the request (" + message + "): "
                    + (apiKey == null ? "it requires an API key; set PUNA_API_KEY" : "check PUNA_API_KEY");
        }
        return new CliException(message, status, null);
    }

    private static JsonNode json(byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new CliException("the server sent invalid JSON: " + e.getMessage(), e);
        }
    }
}
