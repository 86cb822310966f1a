package dev.puna.store.internal.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.store.OperationCancelledException;
import dev.puna.store.RegistryException;
import dev.puna.store.RegistryOptions;
import dev.puna.store.internal.GoJson;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * HTTP to one registry with the OCI distribution auth flow: a request answered {@code 401} with a {@code Bearer}
 * challenge gets a token from the challenge's realm (anonymously, or with the given credentials as Basic auth)
 * and is sent again with {@code Authorization: Bearer <token>}; a {@code Basic} challenge is answered with the
 * credentials. Tokens are cached per host and reused until a request is refused again. Redirects (blob downloads
 * are often redirected to a CDN) are followed by hand so that the token never leaks to another host.
 * Thread-safe.
 */
public final class RegistryTransport {
    private static final Logger LOG = LogManager.getLogger(RegistryTransport.class);
    private static final String USER_AGENT = "puna/0.1 (ollama-compatible)";
    private static final int MAX_REDIRECTS = 5;

    private final HttpClient client;
    private final RegistryOptions options;
    private final String username;
    private final String password;
    private final Map<String, String> tokens = new ConcurrentHashMap<>();

    public RegistryTransport(HttpClient client, RegistryOptions options, String username, String password) {
        this.client = client;
        this.options = options;
        this.username = username;
        this.password = password;
    }

    /** The options. */
    public RegistryOptions options() {
        return options;
    }

    /**
     * Sends a request built by {@code request} (called again for each attempt, so bodies can be re-sent), handling
     * auth challenges and redirects.
     *
     * @throws RegistryException if the registry cannot be reached
     * @throws OperationCancelledException if the thread is interrupted
     */
    public <T> HttpResponse<T> send(Function<URI, HttpRequest.Builder> request, URI uri,
            HttpResponse.BodyHandler<T> handler) {
        URI target = uri;
        boolean authRetried = false;
        for (int hop = 0; hop <= MAX_REDIRECTS; ) {
            HttpRequest.Builder b = request.apply(target).setHeader("User-Agent", USER_AGENT);
            String token = tokens.get(authority(target));
            boolean sameHost = authority(target).equals(authority(uri));
            if (token != null && sameHost) {
                b.setHeader("Authorization", token);
            }
            HttpResponse<T> response = exchange(b.build(), handler);
            int status = response.statusCode();
            if (status == 401 && !authRetried && sameHost) {
                Optional<String> auth = authorize(response.headers().firstValue("WWW-Authenticate").orElse(null));
                if (auth.isPresent()) {
                    discard(response);
                    tokens.put(authority(target), auth.get());
                    authRetried = true;
                    continue;
                }
            }
            if (status >= 300 && status < 400 && status != 304) {
                Optional<String> location = response.headers().firstValue("Location");
                if (location.isPresent()) {
                    discard(response);
                    target = target.resolve(location.get());
                    hop++;
                    continue;
                }
            }
            return response;
        }
        throw new RegistryException("too many redirects from " + uri, 0, null, null);
    }

    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return client.send(request, handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OperationCancelledException(request.method() + " " + request.uri());
        } catch (IOException e) {
            throw new RegistryException("cannot reach the registry at %s: %s".formatted(request.uri(), e), 0, null,
                    e);
        }
    }

    /** The Authorization header answering a challenge, fetching a token for Bearer challenges. */
    private Optional<String> authorize(String header) {
        Optional<AuthChallenge> parsed = AuthChallenge.parse(header);
        if (parsed.isEmpty()) {
            return Optional.empty();
        }
        AuthChallenge challenge = parsed.get();
        if (challenge.scheme().equals("basic")) {
            return username == null ? Optional.empty() : Optional.of(basic());
        }
        String realm = challenge.realm();
        if (realm.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder url = new StringBuilder(realm);
        String sep = realm.contains("?") ? "&" : "?";
        for (String key : new String[] {"service", "scope"}) {
            String value = challenge.params().get(key);
            if (value != null && !value.isEmpty()) {
                for (String part : key.equals("scope") ? value.split(" ") : new String[] {value}) {
                    url.append(sep).append(key).append('=').append(URLEncoder.encode(part, StandardCharsets.UTF_8));
                    sep = "&";
                }
            }
        }
        HttpRequest.Builder tokenRequest = HttpRequest.newBuilder(URI.create(url.toString())).GET()
                .timeout(options.requestTimeout()).setHeader("User-Agent", USER_AGENT);
        if (username != null) {
            tokenRequest.setHeader("Authorization", basic());
        }
        HttpResponse<byte[]> response = exchange(tokenRequest.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new RegistryException("the registry's token service %s refused a token (HTTP %d)"
                    .formatted(realm, response.statusCode()), response.statusCode() == 401 ? 401 : 403, null, null);
        }
        try {
            JsonNode json = GoJson.MAPPER.readTree(response.body());
            String token = json.path("token").asText(json.path("access_token").asText(""));
            if (token.isEmpty()) {
                throw new RegistryException("the token service " + realm + " sent no token", 401, null, null);
            }
            LOG.debug("got a registry token from {}", realm);
            return Optional.of("Bearer " + token);
        } catch (IOException e) {
            throw new RegistryException("the token service " + realm + " sent invalid JSON", 401, null, e);
        }
    }

    private String basic() {
        String pair = username + ":" + (password == null ? "" : password);
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    private static String authority(URI uri) {
        return (uri.getScheme() + "://" + uri.getRawAuthority()).toLowerCase(Locale.ROOT);
    }

    private static void discard(HttpResponse<?> response) {
        if (response.body() instanceof InputStream in) {
            try {
                in.close();
            } catch (IOException e) {
                // nothing to keep
            }
        }
    }

    /**
     * The error for a response the registry answered unexpectedly, with the first OCI error code and message of
     * its body when it sent one.
     */
    public static RegistryException error(String what, int status, byte[] body) {
        String code = null;
        String message = null;
        try {
            JsonNode errors = GoJson.MAPPER.readTree(body == null ? new byte[0] : body).path("errors");
            if (errors.isArray() && !errors.isEmpty()) {
                code = errors.get(0).path("code").asText(null);
                message = errors.get(0).path("message").asText(null);
            }
        } catch (IOException | RuntimeException e) {
            // not an OCI error body
        }
        String detail = code == null ? "HTTP " + status : "HTTP %d %s%s".formatted(status, code,
                message == null ? "" : ": " + message);
        return new RegistryException(what + ": " + detail, status, code, null);
    }

    /** Reads at most 64 KiB of an error response's body. */
    public static byte[] errorBody(HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            return in.readNBytes(64 * 1024);
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
