package dev.puna.http.internal.vision;

import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.ModelScheduler;
import dev.puna.runtime.vision.Image;
import dev.puna.runtime.vision.InvalidImageException;
import dev.puna.runtime.vision.Projector;
import dev.puna.runtime.vision.VisionPrompt;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Images as the routes receive them, and prompts with images: Ollama's base64 {@code images}, OpenAI's
 * {@code image_url} with a {@code data:} URL, Anthropic's base64 image source. Each is decoded and checked
 * ({@link Image#of}: PNG, JPEG, WebP, GIF's first frame) where it is read, so a corrupt image is a 400 naming its
 * field before any model loads. Remote {@code http(s)} URLs are refused unless the operator allowed their host
 * ({@code PUNA_IMAGE_URL_HOSTS}, see {@link RemoteImages}).
 *
 * <p>While a request is read, an image's place in its text is marked by {@link #SENTINEL}, random per process, so
 * no text a client sends can pose as one; once the model is loaded, {@link #tokenize} swaps each for the projector's
 * own marker and tokenizes text and images together.
 */
public final class ImageInputs {
    /** Where an image goes in a message's text until the prompt is tokenized. */
    public static final String SENTINEL = "<__puna_image_" + HexFormat.of().formatHex(nonce()) + "__>";

    private ImageInputs() {
    }

    private static byte[] nonce() {
        byte[] b = new byte[12];
        new SecureRandom().nextBytes(b);
        return b;
    }

    /**
     * An image sent as base64 (Ollama's {@code images}); a {@code data:} URL is accepted too, as some clients send.
     *
     * @throws ApiException 400 naming {@code field} for bad base64 or data that is not a supported image
     */
    public static Image base64(String data, String field) {
        String b64 = data.startsWith("data:") ? dataUrlPayload(data, field) : data;
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(b64.replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw ApiException.badParameter(field, "invalid image in \"" + field + "\": not valid base64");
        }
        return decode(bytes, field);
    }

    /**
     * An image URL (OpenAI's {@code image_url.url}): a {@code data:image/...;base64,...} URL. Remote URLs are a 400
     * saying so.
     */
    public static Image url(String url, String field) {
        return url(url, field, null);
    }

    /**
     * Like {@link #url(String, String)}, and an {@code http(s)} URL of a host {@code remote} allows is fetched
     * (blocking: call off the event loop when {@code remote} is enabled).
     */
    public static Image url(String url, String field, RemoteImages remote) {
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            java.net.URI uri;
            try {
                uri = new java.net.URI(url);
            } catch (java.net.URISyntaxException e) {
                throw ApiException.badParameter(field, "invalid image URL in \"" + field + "\"");
            }
            if (remote == null || !remote.allows(uri)) {
                throw ApiException.badParameter(field, "remote image URLs are not fetched: the server downloads "
                        + "nothing a request names (unless its host is in PUNA_IMAGE_URL_HOSTS); send the image "
                        + "inline as a data: URL (data:image/png;base64,...)");
            }
            return decode(remote.fetch(uri, field), field);
        }
        if (!lower.startsWith("data:")) {
            throw ApiException.badParameter(field, "invalid image URL in \"" + field + "\": expected a data: URL "
                    + "(data:image/png;base64,...)");
        }
        return base64(dataUrlPayload(url, field), field);
    }

    /** The base64 payload of {@code data:[<type>];base64,<payload>}. */
    private static String dataUrlPayload(String url, String field) {
        int comma = url.indexOf(',');
        String head = comma < 0 ? url : url.substring(0, comma);
        if (comma < 0 || !head.toLowerCase(Locale.ROOT).endsWith(";base64")) {
            throw ApiException.badParameter(field, "invalid image URL in \"" + field + "\": expected "
                    + "data:image/<type>;base64,<data>");
        }
        return url.substring(comma + 1);
    }

    /** Checks that {@code bytes} are an image the projector can take. */
    public static Image decode(byte[] bytes, String field) {
        try {
            return Image.of(bytes);
        } catch (InvalidImageException e) {
            throw ApiException.badParameter(field, "invalid image in \"" + field + "\": " + e.problem());
        }
    }

    /**
     * Tokenizes a rendered prompt in which each of {@code images} is marked by {@link #SENTINEL}, with the loaded
     * model's projector. The caller owns the result and closes it when the generation ends.
     *
     * @throws ApiException 400 when the model takes no images, or the prompt lost an image's mark (a template that
     *     does not print a message's content)
     */
    public static VisionPrompt tokenize(ModelScheduler.Lease lease, String modelName, String text, List<Image> images,
                                        boolean addSpecial) {
        Projector projector = lease.projector();
        if (projector == null) {
            throw ApiException.badParameter("images", "model '" + modelName + "' does not support images: it has no "
                    + "vision projector");
        }
        int marks = count(text);
        if (marks != images.size()) {
            throw ApiException.badParameter("images", "the prompt template placed " + marks + " of the request's "
                    + images.size() + " images: it does not print every message's content");
        }
        try {
            return projector.tokenize(text.replace(SENTINEL, projector.marker()), images, addSpecial, true);
        } catch (InvalidImageException e) {
            throw ApiException.badParameter("images", "invalid image: " + e.problem());
        }
    }

    /** Refuses images for a model without a projector, before the request is queued. */
    public static void requireProjector(ModelScheduler.Lease lease, String modelName) {
        if (lease.projector() == null) {
            throw ApiException.badParameter("images", "model '" + modelName + "' does not support images: it has no "
                    + "vision projector");
        }
    }

    private static int count(String text) {
        int n = 0;
        for (int at = text.indexOf(SENTINEL); at >= 0; at = text.indexOf(SENTINEL, at + SENTINEL.length())) {
            n++;
        }
        return n;
    }
}
