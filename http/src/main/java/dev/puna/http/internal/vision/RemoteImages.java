package dev.puna.http.internal.vision;

import dev.puna.http.internal.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * Fetches image URLs from the hosts an operator allowed ({@code PUNA_IMAGE_URL_HOSTS}), and only from them: an
 * exact {@code host} or {@code host:port} match, {@code http} or {@code https}, no redirects followed (a redirect
 * could leave the list), at most {@code maxBytes}, within a timeout. Blocking: call off the event loop.
 */
public final class RemoteImages {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final Set<String> hosts;
    private final long maxBytes;
    private volatile HttpClient client;

    /** @param hosts allowed hosts, lower case; empty: every remote URL is refused */
    public RemoteImages(Set<String> hosts, long maxBytes) {
        this.hosts = Set.copyOf(hosts);
        this.maxBytes = maxBytes;
    }

    /** Whether any host is allowed (else remote URLs are refused without a thread hop). */
    public boolean enabled() {
        return !hosts.isEmpty();
    }

    /** Whether {@code url} names an allowed host. */
    public boolean allows(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null || url.getRawUserInfo() != null) {
            return false;
        }
        String host = url.getHost().toLowerCase(Locale.ROOT);
        return hosts.contains(host) || (url.getPort() >= 0 && hosts.contains(host + ":" + url.getPort()));
    }

    /**
     * The bytes at {@code url}, an allowed URL.
     *
     * @throws ApiException 400 naming {@code field} when the fetch fails, is not a 200, or is too big
     */
    public byte[] fetch(URI url, String field) {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(TIMEOUT).GET().build();
        try {
            HttpResponse<InputStream> response = client().send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw ApiException.badParameter(field, "could not fetch the image at \"" + field + "\": HTTP "
                            + response.statusCode());
                }
                byte[] bytes = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
                if (bytes.length > maxBytes) {
                    throw ApiException.badParameter(field, "the image at \"" + field + "\" is larger than "
                            + maxBytes + " bytes (PUNA_MAX_BODY_SIZE)");
                }
                return bytes;
            }
        } catch (IOException e) {
            throw ApiException.badParameter(field, "could not fetch the image at \"" + field + "\": "
                    + e.getClass().getSimpleName().replace("Exception", "").toLowerCase(Locale.ROOT) + " error");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.badParameter(field, "could not fetch the image at \"" + field + "\": interrupted");
        }
    }

    private HttpClient client() {
        HttpClient c = client;
        if (c == null) {
            synchronized (this) {
                if (client == null) {
                    client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                            .connectTimeout(Duration.ofSeconds(5)).build();
                }
                c = client;
            }
        }
        return c;
    }
}
